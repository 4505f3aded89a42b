import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProgramStateJson } from '../protocol/events';
import { UsageError } from './errors';
import { findRunDir, noRunMessage } from './runLookup';

/** What a finished stage left in a run's result.json: its best program. */
export interface RunResult {
  dir: string;
  state: ProgramStateJson;
  /** Best weights (embedded checkpoint folder); absent when the best program kept the starting weights. */
  weights?: string;
}

/** A run folder from an id in `runs` or a path; the error names both places looked in. */
export function runDirOf(command: string, id: string, runs: string): string {
  const dir = findRunDir(id, runs);
  if (!dir) throw new UsageError(noRunMessage(id, runs, command));
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
