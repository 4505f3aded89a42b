import type { MmgrpoSettings } from '../config';
import type { RunInfo } from '../runs/runFacts';
import { EVAL_NEEDS_MODEL, evalsTrainedRun } from './taskDefinition';

// What the Evaluate button evaluates, from the settings and the task's runs.
// Pure, so the choice is testable without VS Code.

export type EvalTarget =
  /** The task's program as its source file writes it. */
  | { kind: 'program' }
  /** A run's best program: `note` says so in the terminal. */
  | { kind: 'run'; runId: string; note: string }
  /** Nothing worth evaluating yet: `message` says what to do. */
  | { kind: 'none'; message: string };

/**
 * Embedded (no server): the newest trained program, which must exist. Local:
 * the newest prompt optimization run on the local model when there is one (its
 * prompts on that model), else the program as written, since a pretrained model
 * is worth evaluating as it is. A server: the program as written.
 */
export function evalTarget(settings: MmgrpoSettings, taskRuns: readonly RunInfo[]): EvalTarget {
  if (evalsTrainedRun(settings)) {
    const run = taskRuns.find((r) => finishedWithResult(r) && r.manifest.kind !== 'eval');
    return run ? { kind: 'run', runId: run.id, note: `Evaluating the best program of run ${run.id} (its prompts and trained weights).` } : { kind: 'none', message: EVAL_NEEDS_MODEL };
  }
  if (settings.backend === 'local') {
    const run = taskRuns.find((r) => finishedWithResult(r) && r.manifest.kind === 'optimize' && backendOfRun(r) === 'local');
    if (run) return { kind: 'run', runId: run.id, note: `Evaluating the optimized prompts of run ${run.id} on the local model.` };
  }
  return { kind: 'program' };
}

const finishedWithResult = (r: RunInfo): boolean => r.status === 'completed' && r.resultState !== undefined;

/** The backend an optimize run ran on, as its run.json records it (config.mmgrpo.backend.kind). */
function backendOfRun(run: RunInfo): string | undefined {
  const config = run.manifest.config as { mmgrpo?: { backend?: { kind?: unknown } } } | undefined;
  const kind = config?.mmgrpo?.backend?.kind;
  return typeof kind === 'string' ? kind : undefined;
}
