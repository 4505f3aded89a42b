import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProgramStateJson } from '../protocol/events';
import { UsageError } from './errors';

/** What a finished stage left in a run's result.json: its best program. */
export interface RunResult {
  state: ProgramStateJson;
  /** Best weights (embedded checkpoint folder); absent when the best program kept the starting weights. */
  weights?: string;
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
  return { state: parsed.programState, weights: parsed.bestCheckpointDir };
}
