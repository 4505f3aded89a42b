import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProgramStateJson } from '../protocol/events';
import { UsageError } from './errors';

/** What a finished stage left in a run's result.json: its best program. */
export interface RunResult {
  dir: string;
  state: ProgramStateJson;
  /** Best weights (embedded checkpoint folder); absent when the best program kept the starting weights. */
  weights?: string;
}

/** A run folder from an id in `runs` or a path; the error names both places looked in. */
export function runDirOf(command: string, id: string, runs: string): string {
  const dir = existsSync(join(id, 'run.json')) ? resolve(id) : join(runs, id);
  if (!existsSync(join(dir, 'run.json'))) throw new UsageError(`mmgrpo ${command}: no run "${id}" in ${runs}. See \`mmgrpo runs list\`.`);
  return dir;
}

export function readRunResult(command: string, dir: string, id: string): RunResult {
  const file = join(dir, 'result.json');
  if (!existsSync(file)) throw new UsageError(`mmgrpo ${command}: run ${id} has no result.json yet (no stage finished); resume it (mmgrpo optimize --resume ${id}) or pick another run.`);
  let parsed: { programState?: ProgramStateJson; bestCheckpointDir?: string };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new UsageError(`mmgrpo ${command}: ${file} is not valid JSON (${(err as Error).message}).`);
  }
  if (!parsed.programState || typeof parsed.programState !== 'object') throw new UsageError(`mmgrpo ${command}: ${file} has no programState.`);
  return { dir, state: parsed.programState, weights: parsed.bestCheckpointDir };
}
