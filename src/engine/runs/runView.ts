import type {
  ExampleEvaluatedEvent,
  RolloutRecord,
  RolloutsEvent,
  RunEvent,
  RunManifest,
  StepFinishedEvent,
} from '../../protocol/events';
import type { CurvePoint, ModuleCurve, PromptVersion, RunView, StepView } from '../../protocol/webview';
import { instructionCandidates } from './instructionCandidates';
import { currentStageFilter } from './stageAttempts';
import type { RunRead } from './runReader';

/**
 * Rollouts of one step that the panel and `mmgrpo report` keep by default: a
 * snapshot stays postable, and 10,000 rollouts make a 60 MB report that opens in over a second.
 */
export const MAX_ROLLOUTS = 2000;

export interface BuildRunViewOptions {
  /** Step whose rollouts are included; default the last finished step (0 for eval runs). */
  step?: number;
  /** Keep at most this many rollouts of the step (the snapshot stays postable); default all. */
  maxRollouts?: number;
  /** Snapshot revision; default the run's event count, so newer events give a higher revision. */
  revision?: number;
}

interface FinishedStep {
  finished: StepFinishedEvent;
  rollouts?: RolloutsEvent;
}

/**
 * The run panel's snapshot, derived from the event stream alone (pure).
 *
 * Training runs: a step counts only once its step_finished exists; when a
 * resumed run redid a step after a crash, the last step_finished wins, paired
 * with the last rollouts event of the same stage and step written before it.
 *
 * Eval runs (no steps): the score is a single val point at step 0, and the
 * examples' traces are shown as the rollouts of step 0 (one rollout per
 * example, reward = score), so the same rollout viewer serves both kinds.
 */
export function buildRunView(run: RunRead, opts: BuildRunViewOptions = {}): RunView {
  const finished = collectSteps(run.events);
  const steps = [...finished.keys()].sort((a, b) => a - b).map((s) => toStepView(finished.get(s)!.finished));
  const val = valCurve(run.events, steps.length > 0);
  for (const s of steps) {
    const v = val.find((p) => p.step === s.step);
    if (s.valScore === undefined && v) s.valScore = v.value;
  }
  return {
    manifest: run.manifest,
    status: run.status,
    summary: run.summary,
    val,
    reward: steps.map((s) => ({ step: s.step, value: s.rewardMean })),
    modules: moduleCurves(steps),
    steps,
    rollouts: selectRollouts(run.events, finished, steps, opts),
    prompts: promptVersions(run.manifest, run.events),
    instructionCandidates: instructionCandidates(run.events),
    revision: opts.revision ?? run.eventCount,
  };
}

/** Last step_finished per step, each with the rollouts event that preceded it. */
function collectSteps(events: readonly RunEvent[]): Map<number, FinishedStep> {
  const pending = new Map<string, RolloutsEvent>();
  const out = new Map<number, FinishedStep>();
  for (const e of events) {
    if (e.type === 'rollouts') pending.set(`${e.stage}\u0000${e.step}`, e);
    if (e.type === 'step_finished') out.set(e.step, { finished: e, rollouts: pending.get(`${e.stage}\u0000${e.step}`) });
  }
  return out;
}

function toStepView(e: StepFinishedEvent): StepView {
  const view: StepView = {
    step: e.step,
    rewardMean: e.rewardMean,
    rewardStd: e.rewardStd,
    modules: e.modules,
    groups: e.groups,
    trainer: e.trainer,
  };
  if (e.valScore !== undefined) view.valScore = e.valScore;
  return view;
}

/** Val score by step (last write per step wins). Runs without steps get one point at step 0. */
function valCurve(events: readonly RunEvent[], hasSteps: boolean): CurvePoint[] {
  const byStep = new Map<number, number>();
  let unstepped: { score: number; isVal: boolean } | undefined;
  for (const e of events) {
    if (e.type !== 'eval_finished') continue;
    if (e.step !== undefined && e.split === 'val') byStep.set(e.step, e.score);
    // An eval run may score a dev or train split: prefer val, else the latest.
    if (e.step === undefined && (e.split === 'val' || !unstepped?.isVal)) unstepped = { score: e.score, isVal: e.split === 'val' };
  }
  if (!hasSteps && byStep.size === 0 && unstepped) byStep.set(0, unstepped.score);
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, value]) => ({ step, value }));
}

function moduleCurves(steps: readonly StepView[]): ModuleCurve[] {
  const curves = new Map<string, ModuleCurve>();
  for (const s of steps) {
    for (const m of s.modules) {
      let c = curves.get(m.module);
      if (!c) curves.set(m.module, (c = { module: m.module, rewardMean: [], fracRewardZeroStd: [] }));
      c.rewardMean.push({ step: s.step, value: m.rewardMean });
      c.fracRewardZeroStd.push({ step: s.step, value: m.fracRewardZeroStd });
    }
  }
  return [...curves.values()];
}

function selectRollouts(
  events: readonly RunEvent[],
  finished: Map<number, FinishedStep>,
  steps: readonly StepView[],
  opts: BuildRunViewOptions,
): RunView['rollouts'] {
  let step: number;
  let items: RolloutRecord[];
  if (steps.length > 0) {
    step = opts.step ?? steps[steps.length - 1].step;
    const rec = finished.get(step)?.rollouts;
    if (!rec) return null;
    items = rec.rollouts;
  } else {
    step = opts.step ?? 0;
    if (step !== 0) return null;
    items = evalExamplesAsRollouts(events);
    if (items.length === 0) return null;
  }
  const max = opts.maxRollouts;
  if (max !== undefined && items.length > max) return { step, items: items.slice(0, Math.max(0, max)), total: items.length };
  return { step, items };
}

/** The examples of the last unstepped eval stage, as step-0 rollouts (one per example). */
function evalExamplesAsRollouts(events: readonly RunEvent[]): RolloutRecord[] {
  let stage: string | undefined;
  for (const e of events) if (e.type === 'example_evaluated' && e.step === undefined) stage = e.stage;
  if (stage === undefined) return [];
  const byIndex = new Map<number, ExampleEvaluatedEvent>();
  for (const e of events) {
    // A resumed eval may score an example twice: the last one counts.
    if (e.type === 'example_evaluated' && e.step === undefined && e.stage === stage) byIndex.set(e.index, e);
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index).map(exampleToRollout);
}

function exampleToRollout(e: ExampleEvaluatedEvent): RolloutRecord {
  const r: RolloutRecord = {
    exampleIndex: e.index,
    datasetIndex: e.index,
    rolloutIndex: 0,
    teacher: e.split,
    inputs: e.inputs,
    trace: e.trace,
    reward: e.score,
    rewardKind: e.error ? 'failure' : 'metric',
  };
  if (e.prediction) r.outputs = e.prediction;
  if (e.error) r.error = e.error;
  return r;
}

/**
 * Prompt versions per module: the starting prompts, then every accepted
 * prompt candidate (prompt_candidate events) with `parent` pointing at the
 * version it replaced. A resumed run redoes an unfinished prompt stage, so
 * only candidates written after a stage's last stage_started count.
 */
export function promptVersions(manifest: RunManifest, events: readonly RunEvent[]): Record<string, PromptVersion[]> {
  const out: Record<string, PromptVersion[]> = {};
  const predictors = manifest.programStateBefore?.predictors ?? {};
  for (const [module, p] of Object.entries(predictors)) {
    out[module] = [{ id: 'start', label: 'start', instructions: p.instructions, demos: p.demos }];
  }
  const current = currentStageFilter(events);
  events.forEach((e, i) => {
    if (e.type !== 'prompt_candidate' || !current(e, i)) return;
    const list = (out[e.module] ??= []);
    const version: PromptVersion = { id: e.candidateId, label: `${e.stage} ${e.candidateId.slice(e.candidateId.lastIndexOf('/') + 1)}`, instructions: e.instructions, demos: e.demos, score: e.score };
    if (e.parent !== null) version.parent = e.parent;
    const at = list.findIndex((v) => v.id === version.id);
    if (at >= 0) list[at] = version;
    else list.push(version);
  });
  return out;
}
