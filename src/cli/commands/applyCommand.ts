import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ProgramStateJson } from '../../protocol/events';
import { isProcessAlive, readRun, runsRoot } from '../../engine/runs';
import { writeFileAtomic } from '../../engine/runs/atomicWrite';
import { loadTaskFile } from '../../engine/tasks/loadTask';
import { parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';

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
  const runs = v['runs-dir'] ? resolve(v['runs-dir'] as string) : runsRoot(process.cwd());
  const id = positionals[0];
  const dir = existsSync(join(id, 'run.json')) ? resolve(id) : join(runs, id);
  if (!existsSync(join(dir, 'run.json'))) throw new UsageError(`mmgrpo apply: no run "${id}" in ${runs}. See \`mmgrpo runs list\`.`);
  const { manifest } = readRun(dir, isProcessAlive);
  const { state, weights } = readResult(dir, id);
  await checkAgainstTask(manifest.taskFile, state);
  const out = join(dirname(manifest.taskFile), `${fileSafe(manifest.taskName)}.optimized.json`);
  writeFileAtomic(out, JSON.stringify(state, null, 2) + '\n', 0o644);
  process.stdout.write(out + '\n');
  if (weights) process.stderr.write(`The program's weights: ${weights}\n  evaluate them: mmgrpo eval ${manifest.taskFile} --checkpoint ${weights}\n`);
  return EXIT.ok;
}

function readResult(dir: string, id: string): { state: ProgramStateJson; weights?: string } {
  const file = join(dir, 'result.json');
  if (!existsSync(file)) throw new UsageError(`mmgrpo apply: run ${id} has no result.json yet (no stage finished); resume it (mmgrpo optimize --resume ${id}) or pick another run.`);
  let parsed: { programState?: ProgramStateJson; bestCheckpointDir?: string };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new UsageError(`mmgrpo apply: ${file} is not valid JSON (${(err as Error).message}).`);
  }
  if (!parsed.programState || typeof parsed.programState !== 'object') throw new UsageError(`mmgrpo apply: ${file} has no programState.`);
  return { state: parsed.programState, weights: parsed.bestCheckpointDir };
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
