import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runsRoot } from '../engine/runs';
import { UsageError } from './errors';

// How every command finds runs: the run store from --runs-dir (default
// .mmgrpo/runs of the working directory), and a run by id or by folder path.

export function runsDirOption(v: Record<string, unknown>): string {
  return v['runs-dir'] ? resolve(v['runs-dir'] as string) : runsRoot(process.cwd());
}

/** A run folder from a path or an id in `runs`; undefined when neither holds a run.json. */
export function findRunDir(idOrDir: string, runs: string): string | undefined {
  return [resolve(idOrDir), join(runs, idOrDir)].find((dir) => existsSync(join(dir, 'run.json')));
}

/** A run folder from an id in `runs` or a path; the UsageError names both places looked in (see noRunMessage). */
export function runDirOf(id: string, runs: string, command?: string): string {
  const dir = findRunDir(id, runs);
  if (!dir) throw new UsageError(noRunMessage(id, runs, command));
  return dir;
}

/** With a command, the message follows its `mmgrpo <command>:` prefix; without one it starts the line. */
export function noRunMessage(id: string, runs: string, command?: string): string {
  const what = `run "${id}" in ${runs} (nor a run folder at that path). See \`mmgrpo runs list\`, or pass --runs-dir.`;
  return command ? `mmgrpo ${command}: no ${what}` : `No ${what}`;
}
