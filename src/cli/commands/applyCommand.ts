import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readRunResult } from '../runResult';
import type { ProgramStateJson } from '../../protocol/events';
import { isProcessAlive, readRun } from '../../engine/runs';
import { writeFileAtomic } from '../../engine/runs/atomicWrite';
import { loadTaskFile } from '../../engine/tasks/loadTask';
import { parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { runDirOf, runsDirOption } from '../runLookup';

export const APPLY_HELP = `Usage: mmgrpo apply <run-id> [--runs-dir <dir>]

Writes the optimized program state of a run (its result.json: instructions and
demos of every module) to <task-name>.optimized.json next to the task file and
prints the path. Load it with \`program.loadState(JSON.parse(...))\`.

Options:
  --runs-dir <dir>   where runs are stored [.mmgrpo/runs]
  -h, --help         this text`;

export async function applyCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('apply', argv, { 'runs-dir': { type: 'string' } });
  if (v.help) {
    process.stdout.write(APPLY_HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('mmgrpo apply: give one run id (see `mmgrpo runs list`), e.g. `mmgrpo apply 20261130-101502-banking77-3fa9`.');
  const runs = runsDirOption(v);
  const id = positionals[0];
  const dir = runDirOf(id, runs, 'apply');
  const { manifest } = readRun(dir, isProcessAlive);
  const { state, weights } = readRunResult('apply', dir, id);
  await checkAgainstTask(manifest.taskFile, state);
  const out = join(dirname(manifest.taskFile), `${fileSafe(manifest.taskName)}.optimized.json`);
  writeFileAtomic(out, JSON.stringify(state, null, 2) + '\n', 0o644);
  process.stdout.write(out + '\n');
  if (weights) process.stderr.write(`The program's weights: ${weights}\n  evaluate the whole optimized program: mmgrpo eval ${manifest.taskFile} --run ${id}\n`);
  return EXIT.ok;
}

/** The task may have changed since the run: refuse a state its program cannot load. */
async function checkAgainstTask(taskFile: string, state: ProgramStateJson): Promise<void> {
  if (!existsSync(taskFile)) throw new UsageError(`mmgrpo apply: the run's task file ${taskFile} no longer exists; nothing to write next to.`);
  const { task } = await loadTaskFile(taskFile);
  try {
    task.program.clone().loadState(state);
  } catch (err) {
    throw new UsageError(`mmgrpo apply: the program in ${taskFile} no longer matches this run. ${(err as Error).message}`);
  }
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '') || 'task';
}
