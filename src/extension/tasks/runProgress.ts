import type { RunEvent, RunManifest } from '../../protocol/events';

// What the progress notification and the status bar show for one run, folded
// from its events. The bar covers the whole run: stages share it in order and
// a weights stage advances by steps, so it never restarts at each stage or step.

/** The run's shape from its run.json: how many stages, and steps per weights stage. */
export interface ProgressPlan {
  stages: number;
  steps?: number;
}

export interface RunProgress {
  runId?: string;
  kind?: string;
  /** The run's shape once run.json was read; without it no fraction is claimed. */
  plan?: ProgressPlan;
  /** Stage ids in the order they started. */
  stages?: string[];
  /** Label of the current stage (stage_started's words). */
  stageLabel?: string;
  /** The current (or last) weights step of the current stage; undefined in other stages. */
  step?: number;
  /** Weights steps finished before `step` (steps number from 1; a resume starts later). */
  stepsDone?: number;
  /** 0..1 of the current unit of work: a step's rollouts, a stage's trials or examples. */
  inner?: number;
  /** 0..1 of the whole run, when the plan is known. */
  fraction?: number;
  message: string;
  finished?: string;
}

const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

/** Stages and steps a run will go through, from its manifest (config as the CLI records it). */
export function progressPlan(m: Pick<RunManifest, 'kind' | 'config'>): ProgressPlan {
  if (m.kind === 'eval') return { stages: 1 };
  const c = (m.config ?? {}) as { strategy?: unknown; mmgrpo?: { steps?: unknown }; warmStart?: { epochs?: unknown } };
  const warm = (num(c.warmStart?.epochs) ?? 0) > 0 ? 1 : 0;
  const steps = num(c.mmgrpo?.steps);
  const stages = m.kind === 'optimize' && typeof c.strategy === 'string' ? c.strategy.split('->').length : 1;
  return { stages: stages + warm, steps };
}

/** The whole run's fraction: finished stages, plus how far the current one is. */
function overall(p: RunProgress): number | undefined {
  if (!p.plan) return undefined;
  const seen = p.stages?.length ?? 0;
  // A stage the plan did not foresee (a newer CLI's) widens the bar rather than overflowing it.
  const total = Math.max(p.plan.stages, seen, 1);
  // A weights stage (it has steps) advances by steps; any other by its own units.
  const weights = p.step !== undefined && p.stepsDone !== undefined && p.plan.steps;
  const inStep = weights && p.step! > p.stepsDone! ? (p.inner ?? 0) : 0;
  const within = weights ? (p.stepsDone! + inStep) / (p.plan.steps as number) : (p.inner ?? 0);
  return Math.min(1, (Math.max(0, seen - 1) + Math.min(1, within)) / total);
}

const withFraction = (p: RunProgress): RunProgress => ({ ...p, fraction: overall(p) });

function stepText(p: RunProgress, step: number): string {
  return `step ${step}/${p.plan?.steps ?? '?'}`;
}

function onProgress(p: RunProgress, e: Extract<RunEvent, { type: 'progress' }>): RunProgress {
  const current = p.stages?.[p.stages.length - 1];
  // Validation inside a stage ("w1/val") says so, without moving the bar back to its start.
  if (current !== undefined && e.stage !== current) return { ...p, message: `${p.step !== undefined ? stepText(p, p.step) : p.stageLabel ?? e.stage} · validating ${e.done}/${e.total}` };
  const inner = e.total > 0 ? e.done / e.total : 0;
  const message = p.step !== undefined ? `${stepText(p, p.step)} · rollouts ${e.done}/${e.total}` : `${p.stageLabel ?? e.stage} · ${e.done}/${e.total}`;
  return withFraction({ ...p, inner, message });
}

/** Folds one event into a run's progress (pure; the UI renders the result). */
export function reduceProgress(p: RunProgress, e: RunEvent): RunProgress {
  switch (e.type) {
    case 'run_started':
      return { ...p, runId: e.runId, kind: e.kind, message: `${e.kind} ${e.taskName}` };
    case 'stage_started': {
      const stages = p.stages?.includes(e.stage) ? p.stages : [...(p.stages ?? []), e.stage];
      return withFraction({ ...p, stages, stageLabel: e.label, step: undefined, stepsDone: undefined, inner: 0, message: e.label });
    }
    case 'step_started':
      return withFraction({ ...p, step: e.step, stepsDone: e.step - 1, inner: 0, message: stepText(p, e.step) });
    case 'progress':
      return onProgress(p, e);
    case 'step_finished':
      return withFraction({ ...p, step: e.step, stepsDone: e.step, inner: 0, message: `${stepText(p, e.step)} · reward ${e.rewardMean.toFixed(3)}` });
    case 'run_finished':
      return { ...p, fraction: 1, finished: e.status, message: `${e.status}${e.error ? `: ${e.error}` : ''}` };
    default:
      return p;
  }
}

/** Adds the plan once run.json is known (it is written before the first event). */
export function withPlan(p: RunProgress, plan: ProgressPlan): RunProgress {
  return withFraction({ ...p, plan });
}
