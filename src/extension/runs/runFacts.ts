import * as path from 'node:path';
import type { ModuleStepStats, PredictorStateJson, RunEvent, RunManifest, RunStatus } from '../../protocol/events';
import type { ProgramStateJson } from '../../protocol/events';

// The extension's model of a run, and the facts that lenses, the Runs view and
// commands derive from it. Pure functions of runs already in memory: no
// provider touches the file system.

/** What the extension knows of one run (RunRecord is its async-read form). */
export interface RunInfo {
  id: string;
  dir: string;
  manifest: RunManifest;
  status: RunStatus;
  summary: Record<string, number>;
  events: readonly RunEvent[];
  resultState?: ProgramStateJson;
}

export const samePath = (a: string, b: string): boolean => path.resolve(a) === path.resolve(b);

/** Runs of any of the given task files, newest first (input order is kept). */
export function runsOfTasks<R extends RunInfo>(runs: readonly R[], taskFiles: readonly string[]): R[] {
  return runs.filter((r) => taskFiles.some((f) => samePath(r.manifest.taskFile, f)));
}

/** The run's headline validation score: the summary's, else the last step's. */
export function valScoreOf(run: RunInfo): number | undefined {
  if (run.summary['val/score'] !== undefined) return run.summary['val/score'];
  for (let i = run.events.length - 1; i >= 0; i--) {
    const e = run.events[i];
    if (e.type === 'step_finished' && e.valScore !== undefined) return e.valScore;
  }
  return undefined;
}

export interface ModuleFacts extends ModuleStepStats {
  step: number;
}

/** One module's statistics at the last finished training step of a run. */
export function lastModuleStats(run: RunInfo, module: string): ModuleFacts | undefined {
  for (let i = run.events.length - 1; i >= 0; i--) {
    const e = run.events[i];
    if (e.type !== 'step_finished') continue;
    const m = e.modules.find((x) => x.module === module);
    if (m) return { ...m, step: e.step };
  }
  return undefined;
}

export interface PromptChange {
  before?: PredictorStateJson;
  after: PredictorStateJson;
  instructionsChanged: boolean;
  demosChanged: boolean;
}

/** How a run changed one predictor's prompt (needs the run's result.json). */
export function promptChange(run: RunInfo, module: string): PromptChange | undefined {
  const after = run.resultState?.predictors[module];
  if (!after) return undefined;
  const before = run.manifest.programStateBefore?.predictors[module];
  return {
    before,
    after,
    instructionsChanged: before?.instructions !== after.instructions,
    demosChanged: JSON.stringify(before?.demos ?? []) !== JSON.stringify(after.demos),
  };
}

export const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;
