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
export function valScoreOf(run: Pick<RunInfo, 'summary' | 'events'>): number | undefined {
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


const RESUMABLE_STATUSES: readonly RunStatus[] = ['interrupted', 'cancelled'];

/**
 * Why `mmgrpo <kind> --resume` cannot continue this run, or undefined when it
 * can: training (`train`) and composed runs (`optimize`, which Train and
 * Optimize prompts start) that stopped before the end.
 */
export function resumeProblem(run: Pick<RunInfo, 'id' | 'manifest' | 'status'>): string | undefined {
  const kind = run.manifest.kind;
  if (kind !== 'train' && kind !== 'optimize') return `Run ${run.id} is an ${kind} run; only training and optimization runs can be resumed.`;
  if (!RESUMABLE_STATUSES.includes(run.status)) return `Run ${run.id} is ${run.status}; only interrupted or cancelled runs can be resumed.`;
  return undefined;
}

const STAGE_WORDS: Record<string, string> = { p: 'prompts', w: 'weights' };

/** A strategy in words, as the Train lens says it: "p -> w" is "prompts → weights". */
export function strategyWords(strategy: string): string {
  return strategy.split('->').map((s) => STAGE_WORDS[s.trim()] ?? s.trim()).join(' → ');
}

/**
 * What the user started, in the editor's words: the CLI records Train and
 * Optimize prompts both as `optimize` runs (one composer), so the strategy
 * tells them apart; CLI `train` runs are MMGRPO on the weights only.
 */
export function runKindLabel(manifest: RunManifest): string {
  if (manifest.kind === 'eval') return 'Evaluate';
  if (manifest.kind === 'train') return 'Train weights (MMGRPO)';
  const strategy = (manifest.config as { strategy?: unknown } | undefined)?.strategy;
  if (typeof strategy !== 'string') return 'Optimize';
  return strategy.trim() === 'p' ? 'Optimize prompts' : `Train (${strategyWords(strategy)})`;
}

const MINUTE = 60_000;

/** How long ago `iso` was, coarsely ("just now", "5 min ago", "3 h ago", "2 d ago"). */
export function ageText(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return 'unknown age';
  if (ms < MINUTE) return 'just now';
  if (ms < 60 * MINUTE) return `${Math.floor(ms / MINUTE)} min ago`;
  if (ms < 48 * 60 * MINUTE) return `${Math.floor(ms / (60 * MINUTE))} h ago`;
  return `${Math.floor(ms / (24 * 60 * MINUTE))} d ago`;
}
