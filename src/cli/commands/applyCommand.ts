import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readRunResult } from '../runResult';
import type { ProgramStateJson } from '../../protocol/events';
import { isProcessAlive, readRun } from '../../engine/runs';
import { writeFileAtomic } from '../../engine/runs/atomicWrite';
import { loadTaskFile } from '../../engine/tasks/loadTask';
import { parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { runDirOf, runsDirOption } from '../runLookup';

export const APPLY_HELP = `Usage: mmgrpo apply <run-id> [--force] [--runs-dir <dir>]

Writes the optimized program state of a run (its result.json: instructions and
demos of every module) to <task-name>.optimized.json next to the task file and
prints the path. Load it with \`program.loadState(JSON.parse(...))\`. The file
names the run it came from ("fromRun"); a file written from another run (or by
hand) is not overwritten without --force.

Options (defaults in brackets):
  --force            overwrite a file written from another run
  --runs-dir <dir>   where runs are stored [.mmgrpo/runs]
  -h, --help         this text`;

export async function applyCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('apply', argv, { 'runs-dir': { type: 'string' }, force: { type: 'boolean' } });
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
  checkOverwrite(out, id, Boolean(v.force));
  writeFileAtomic(out, JSON.stringify({ ...state, fromRun: id } satisfies AppliedState, null, 2) + '\n', 0o644);
  process.stdout.write(out + '\n');
  if (weights) process.stderr.write(`The program's weights: ${weights}\n  evaluate the whole optimized program: mmgrpo eval ${manifest.taskFile} --run ${id}\n`);
  return EXIT.ok;
}

/** What apply writes: the program state plus the run it came from (loadState ignores the extra key). */
interface AppliedState extends ProgramStateJson {
  fromRun: string;
}

/**
 * Re-applying the same run replaces its own file; a file from another run,
 * or one apply did not write, holds someone's chosen prompts: keep it unless --force.
 */
export function checkOverwrite(out: string, id: string, force: boolean): void {
  if (force || !existsSync(out)) return;
  let from: unknown;
  try {
    from = (JSON.parse(readFileSync(out, 'utf8')) as Partial<AppliedState>).fromRun;
  } catch {
    from = undefined;
  }
  if (from === id) return;
  const whose = typeof from === 'string' ? `was written from run ${from}` : 'was not written by `mmgrpo apply`';
  throw new UsageError(`mmgrpo apply: ${out} ${whose}; overwrite it with \`mmgrpo apply ${id} --force\`, or move it away first.`);
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
