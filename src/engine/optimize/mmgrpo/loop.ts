import type { BudgetSpent, ModuleStepStats } from '../../../protocol/events';
import type { GRPOStatus } from '../../../protocol/trainer';
import type { Adapter } from '../../adapters';
import type { UsageTotals } from '../../lm/usage';
import type { Module } from '../../program/module';
import type { RunWriter } from '../../runs';
import { inputsOf } from '../../tasks/defineTask';
import type { Task } from '../../tasks/types';
import { deriveSeed, seededRandom } from '../../util/rng';
import { mean, selectKDiverse, std, withAdvantages } from './advantages';
import type { MMGRPOConfig } from './config';
import { SEED_STREAM, examplesForStep } from './dataOrder';
import { formGroups } from './grouping';
import { FRESH, type ResumePoint } from './resume';
import { runRolloutBatch, type RolloutPolicy } from './rollouts';
import type { TrainingSession } from './session';
import { moduleStats } from './stats';
import { planBatch } from './trainerBatch';
import type { Group, Rollout } from './types';
import { validateStep } from './validate';

export interface MMGRPOLoopOptions {
  config: MMGRPOConfig;
  /** The student program; its prompts stay frozen while weights train. */
  program: Module;
  teachers?: RolloutPolicy[];
  task: Task;
  session: TrainingSession;
  writer: RunWriter;
  stage: string;
  adapter: Adapter;
  resume?: ResumePoint;
  signal?: AbortSignal;
  usage: () => UsageTotals;
}

export type LoopStatus = 'completed' | 'cancelled' | 'budget';

export interface MMGRPOResult {
  status: LoopStatus;
  lastStep: number;
  bestStep: number;
  bestScore: number;
  bestCheckpointDir?: string;
  /** Validation score by step. */
  valScores: Record<number, number>;
  reason?: string;
}

/** MMGRPO over the weights: rollouts → module groups → advantages → trainer step, per step. */
export async function runMMGRPO(o: MMGRPOLoopOptions): Promise<MMGRPOResult> {
  const point = o.resume ?? FRESH;
  const state = { ...point, valScores: {} as Record<number, number> };
  const clock = budgetClock(o, point.budget);
  if (point.lastStep < 0) await initialStep(o, state);
  for (let step = Math.max(1, state.lastStep + 1); step <= o.config.steps; step++) {
    const stop = stopReason(o, clock.spent());
    if (stop) return finish(state, stop.status, stop.reason);
    const done = await trainStep(o, step, clock, state);
    if (!done) return finish(state, 'cancelled', 'cancelled during the step; it will be redone on resume');
    state.lastStep = step;
  }
  return finish(state, 'completed');
}

type LoopState = ResumePoint & { valScores: Record<number, number> };

function finish(s: LoopState, status: LoopStatus, reason?: string): MMGRPOResult {
  return { status, reason, lastStep: s.lastStep, bestStep: s.bestStep, bestScore: s.bestScore, bestCheckpointDir: s.bestCheckpointDir, valScores: s.valScores };
}

async function initialStep(o: MMGRPOLoopOptions, s: LoopState): Promise<void> {
  const score = await validateStep(o, 0);
  const ckpt = await checkpoint(o, 0);
  s.valScores[0] = score;
  Object.assign(s, { lastStep: 0, bestStep: 0, bestScore: score, bestCheckpointDir: ckpt.dir, lastCheckpointDir: ckpt.dir });
  o.writer.append({ type: 'checkpoint_saved', stage: o.stage, step: 0, name: ckpt.name, dir: ckpt.dir, valScore: score, best: true });
}

async function trainStep(o: MMGRPOLoopOptions, step: number, clock: BudgetClock, s: LoopState): Promise<boolean> {
  const c = o.config;
  const indices = examplesForStep(c.seed, step, c.examplesPerStep, o.task.trainset.length);
  o.writer.append({ type: 'step_started', stage: o.stage, step, datasetIndices: indices });
  const examples = indices.map((datasetIndex) => ({ datasetIndex, example: o.task.trainset[datasetIndex], inputs: inputsOf(o.task, o.task.trainset[datasetIndex]) }));
  let done = 0;
  const total = examples.length * c.rolloutsPerExample;
  const batch = await runRolloutBatch({
    step, seed: c.seed, examples, rolloutsPerExample: c.rolloutsPerExample,
    policies: [{ name: 'student', program: o.program, lm: o.session.lm }, ...(o.teachers ?? [])],
    metric: o.task.metric, rewards: c, temperature: c.temperature, maxTokens: c.maxTokens,
    logprobs: o.session.capabilities.logprobs, adapter: o.adapter, concurrency: c.concurrency, signal: o.signal,
    onRollout: () => o.writer.append({ type: 'progress', stage: o.stage, done: ++done, total }),
  });
  if (!batch.complete) return false;
  o.writer.append({ type: 'rollouts', stage: o.stage, step, rollouts: batch.rollouts.map(toRecord) });
  const groups = buildGroups(c, step, batch.rollouts, examples.length);
  const plan = planBatch(groups, batch.rollouts, { numGenerations: numGenerations(c), variableGroupSize: o.session.capabilities.variable_group_size === true });
  const status = plan.batch.length ? await o.session.trainer.step({ job_id: o.session.jobId, model: o.session.model, batch_id: step, batch: plan.batch }) : undefined;
  const ckpt = await checkpoint(o, step);
  const validate = step % c.valEvery === 0 || step === c.steps;
  const valScore = validate ? await validateStep(o, step) : undefined;
  const modules = moduleStats(batch.rollouts, groups, groups.filter((_, i) => plan.records[i].trained));
  o.writer.append({
    type: 'step_finished', stage: o.stage, step, groups: plan.records, modules,
    trainer: trainerMetrics(status, plan.batch.length, plan.droppedForSize),
    rewardMean: mean(batch.rollouts.map((r) => r.reward)), rewardStd: std(batch.rollouts.map((r) => r.reward)),
    rollouts: countRollouts(batch.rollouts), budget: clock.spent(), checkpoint: ckpt.name, checkpointDir: ckpt.dir,
    ...(valScore !== undefined ? { valScore } : {}),
  });
  if (valScore !== undefined) {
    s.valScores[step] = valScore;
    if (valScore > s.bestScore) {
      Object.assign(s, { bestStep: step, bestScore: valScore, bestCheckpointDir: ckpt.dir });
      o.writer.append({ type: 'checkpoint_saved', stage: o.stage, step, name: ckpt.name, dir: ckpt.dir, valScore, best: true });
    }
  }
  // Keep the initial, the best and the latest weights; older ones only cost disk. Only the latest
  // is a resume point, so the others lose their training state (optimizer moments: 2x the weights).
  const previous = s.lastCheckpointDir;
  s.lastCheckpointDir = ckpt.dir;
  if (previous && previous !== ckpt.dir) {
    if (previous !== s.bestCheckpointDir && s.lastStep > 0) await o.session.discardCheckpoint?.(previous);
    else await o.session.discardTrainingState?.(previous);
  }
  return true;
}

function buildGroups(c: MMGRPOConfig, step: number, rollouts: readonly Rollout[], inputs: number): Group[] {
  const out: Group[] = [];
  for (let e = 0; e < inputs; e++) {
    const mine = rollouts.filter((r) => r.exampleIndex === e);
    const formed = formGroups(e, mine, c.groupingMode, c.fillStrategy, seededRandom(deriveSeed(c.seed, SEED_STREAM.grouping, step, e)));
    formed.forEach((g, i) => {
      const picked = selectKDiverse(g, c.selectKDiverse, seededRandom(deriveSeed(c.seed, SEED_STREAM.diversity, step, e, i)));
      out.push(withAdvantages(picked, c.trainer.scaleRewards));
    });
  }
  return out;
}

export function numGenerations(c: MMGRPOConfig): number {
  return c.selectKDiverse > 0 ? c.selectKDiverse : c.rolloutsPerExample;
}

async function checkpoint(o: MMGRPOLoopOptions, step: number): Promise<{ name: string; dir?: string }> {
  const name = `${o.stage}-step-${step}`;
  const status = await o.session.trainer.checkpoint({ job_id: o.session.jobId, checkpoint_name: name, metadata: { step, stage: o.stage } });
  return { name, dir: status.checkpoints[name]?.checkpoint_dir };
}

function trainerMetrics(status: GRPOStatus | undefined, groupsSent: number, droppedForSize: number): Record<string, number> {
  const m = status?.last_step_metrics;
  const out: Record<string, number> = { 'trainer/groups_sent': groupsSent, 'trainer/groups_dropped_size': droppedForSize };
  if (m) for (const k of ['loss', 'kl', 'clip_ratio', 'grad_norm', 'tokens', 'learning_rate'] as const) out[`trainer/${k}`] = m[k];
  return out;
}

function countRollouts(rs: readonly Rollout[]) {
  return { total: rs.length, formatFailures: rs.filter((r) => r.rewardKind === 'format_failure').length, failures: rs.filter((r) => r.rewardKind === 'failure').length };
}

function toRecord(r: Rollout) {
  return { ...r, datasetIndex: r.datasetIndex ?? -1, inputs: r.inputs ?? {} };
}

interface BudgetClock {
  spent(): BudgetSpent;
}

/** Spend so far: what earlier attempts of this run recorded plus this process's usage. */
function budgetClock(o: MMGRPOLoopOptions, base: BudgetSpent): BudgetClock {
  const started = Date.now();
  const u0 = o.usage();
  return {
    spent: () => {
      const u = o.usage();
      return {
        lmCalls: base.lmCalls + u.calls - u0.calls,
        tokens: base.tokens + u.promptTokens + u.completionTokens - u0.promptTokens - u0.completionTokens,
        seconds: base.seconds + (Date.now() - started) / 1000,
      };
    },
  };
}

function stopReason(o: MMGRPOLoopOptions, spent: BudgetSpent): { status: LoopStatus; reason: string } | undefined {
  if (o.signal?.aborted) return { status: 'cancelled', reason: 'cancelled' };
  const b = o.config.budgets;
  if (b.maxLMCalls > 0 && spent.lmCalls >= b.maxLMCalls) return { status: 'budget', reason: `LM call budget reached (${spent.lmCalls} of ${b.maxLMCalls})` };
  if (b.maxTokens > 0 && spent.tokens >= b.maxTokens) return { status: 'budget', reason: `token budget reached (${spent.tokens} of ${b.maxTokens})` };
  if (b.maxSeconds > 0 && spent.seconds >= b.maxSeconds) return { status: 'budget', reason: `time budget reached (${Math.round(spent.seconds)} s of ${b.maxSeconds} s)` };
  return undefined;
}

export type { ModuleStepStats };
