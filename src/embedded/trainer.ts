import * as tf from '@tensorflow/tfjs-core';
import type { GrpoMember, GrpoTrainConfig, SftConfig, SftExample, TrainStepMetrics } from './backend';
import { completionValues, microBatches, scatterCompletion, type MicroBatch } from './batching';
import { buildSequence, type TrainingSequence } from './chatTemplate';
import type { ModelConfig } from './config';
import { grpoLoss, groupAdvantages, type NormContext } from './losses';
import { tokenLogprobs, type ParamMap } from './model';
import { AdamW } from './optimizer';
import { Rng } from './rng';
import type { ByteTokenizer } from './tokenizer';

export interface TrainableModel {
  params: ParamMap;
  config: ModelConfig;
  tokenizer: ByteTokenizer;
}

/** Padded tokens per micro-batch; bounds peak memory (attention keeps [B*H, T, T] for backward). */
export const DEFAULT_TOKEN_BUDGET = 8192;

function encode(m: TrainableModel, messages: GrpoMember['messages'], completion: string): TrainingSequence {
  return buildSequence(messages, completion, m.tokenizer, m.config.maxPromptTokens, m.config.contextLength);
}

/** Sequence logprobs of completion tokens under `params`, no tape (old/ref policies). */
function constantLogprobs(m: TrainableModel, params: ParamMap, mb: MicroBatch): Float32Array {
  const t = tf.tidy(() => tokenLogprobs(params, m.config, mb.tokens, mb.B, mb.T));
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

/**
 * Old logprobs per sequence: the sampler's own values where the member sent
 * them and they line up with the completion's byte tokens; the end-of-turn
 * token (never reported by the sampler) and members without usable values
 * use the pre-update policy, captured during the first iteration.
 */
function providedOld(member: GrpoMember, seq: TrainingSequence): (number | undefined)[] {
  const n = seq.completionLength;
  const given = member.logprobs;
  const textTokens = seq.tokens.length - seq.completionStart - 1;
  const usable = given && given.length === textTokens && given.every(Number.isFinite);
  return Array.from({ length: n }, (_, i) => (usable && i < given!.length ? given![i] : undefined));
}

export interface GrpoStepInput {
  model: TrainableModel;
  optimizer: AdamW;
  reference?: ParamMap;
  groups: GrpoMember[][];
  config: GrpoTrainConfig;
  tokenBudget?: number;
}

export function grpoStep(inp: GrpoStepInput): TrainStepMetrics {
  const { model, config: cfg } = inp;
  validateGrpoConfig(cfg);
  const members = inp.groups.flat();
  const advantages = groupAdvantages(inp.groups, cfg.scale_rewards).flat();
  const seqs = members.map((mem) => encode(model, mem.messages, mem.completion));
  const stepTokens = seqs.reduce((a, s) => a + s.completionLength, 0);
  // With beta = 0 a zero-advantage sequence has zero loss and gradient: skip its compute, keep it in the normalizers.
  const active = seqs.map((_, i) => i).filter((i) => cfg.beta > 0 || advantages[i] !== 0);
  const mbs = microBatches(seqs, active, inp.tokenBudget ?? DEFAULT_TOKEN_BUDGET);
  const ctx: NormContext = { stepSequences: seqs.length, stepTokens, microBatches: Math.max(1, mbs.length), maxCompletionLength: cfg.max_completion_length };
  const old = members.map((mem, i) => providedOld(mem, seqs[i]));
  const ref = cfg.beta > 0 && inp.reference ? mbs.map((mb) => constantLogprobs(model, inp.reference!, mb)) : undefined;
  if (cfg.beta > 0 && !inp.reference) throw new Error('beta > 0 needs a reference policy; call setReference() before training.');
  const totals = { loss: 0, kl: 0, clip: 0, gradNorm: 0 };
  for (let it = 0; it < cfg.num_iterations; it++) {
    const grads = new Map<string, tf.Tensor>();
    mbs.forEach((mb, k) => {
      const r = microStep(model, mb, seqs, old, advantages, ref?.[k], cfg, ctx, it === 0);
      totals.loss += r.loss;
      totals.kl += r.klSum;
      totals.clip += r.clipSum;
      accumulate(grads, r.grads);
    });
    if (grads.size > 0) totals.gradNorm += inp.optimizer.step(model.params, grads, { learningRate: cfg.learning_rate, weightDecay: cfg.weight_decay, maxGradNorm: cfg.max_grad_norm });
    tf.dispose([...grads.values()]);
  }
  const iters = cfg.num_iterations;
  const rewards = members.map((m) => m.reward);
  const mean = rewards.reduce((a, b) => a + b, 0) / Math.max(1, rewards.length);
  const std = Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / Math.max(1, rewards.length));
  const activeTokens = active.reduce((a, i) => a + seqs[i].completionLength, 0);
  return {
    loss: totals.loss / iters,
    kl: activeTokens > 0 ? totals.kl / iters / activeTokens : 0,
    clip_ratio: activeTokens > 0 ? totals.clip / iters / activeTokens : 0,
    grad_norm: totals.gradNorm / iters,
    tokens: stepTokens,
    reward_mean: mean,
    reward_std: std,
  };
}

interface MicroResult {
  loss: number;
  klSum: number;
  clipSum: number;
  grads: Map<string, tf.Tensor>;
}

function microStep(
  model: TrainableModel, mb: MicroBatch, seqs: TrainingSequence[], old: (number | undefined)[][], adv: number[],
  ref: Float32Array | undefined, cfg: GrpoTrainConfig, ctx: NormContext, firstIteration: boolean,
): MicroResult {
  const names = [...model.params.keys()];
  const vars = names.map((n) => model.params.get(n) as tf.Variable);
  let stats = { klSum: 0, clipSum: 0 };
  const { value, grads } = tf.variableGrads(() => {
    const logp = tokenLogprobs(model.params, model.config, mb.tokens, mb.B, mb.T);
    if (firstIteration) captureOld(logp.dataSync() as Float32Array, mb, seqs, old);
    const oldArr = scatterCompletion(mb, seqs, (s) => old[s] as number[]);
    const shape: [number, number] = [mb.B, mb.T];
    const out = grpoLoss({
      logp,
      oldLogp: tf.tensor2d(oldArr, shape),
      refLogp: ref ? tf.tensor2d(ref, shape) : undefined,
      advantages: tf.tensor1d(mb.rows.map((s) => adv[s])),
      mask: tf.tensor2d(mb.mask, shape),
    }, cfg, cfg.loss_type, ctx);
    stats = { klSum: out.klSum.dataSync()[0], clipSum: out.clipSum.dataSync()[0] };
    return out.loss;
  }, vars);
  const loss = value.dataSync()[0];
  value.dispose();
  const byName = new Map<string, tf.Tensor>();
  vars.forEach((v, i) => { const g = grads[v.name]; if (g) byName.set(names[i], g); });
  return { loss, ...stats, grads: byName };
}

/** Fill in old logprobs the member did not provide, from the pre-update forward (first iteration only). */
function captureOld(values: Float32Array, mb: MicroBatch, seqs: TrainingSequence[], old: (number | undefined)[][]): void {
  mb.rows.forEach((s, b) => {
    const current = completionValues(values, seqs[s], b, mb.T);
    old[s] = old[s].map((v, i) => v ?? current[i]);
  });
}

function accumulate(into: Map<string, tf.Tensor>, add: Map<string, tf.Tensor>): void {
  for (const [name, g] of add) {
    const prev = into.get(name);
    if (prev) {
      into.set(name, tf.add(prev, g));
      tf.dispose([prev, g]);
    } else {
      into.set(name, g);
    }
  }
}

export function validateGrpoConfig(c: GrpoTrainConfig): void {
  const bad = (what: string) => {
    throw new Error(`Invalid GRPO trainer config: ${what}.`);
  };
  if (!(c.learning_rate > 0)) bad(`learning_rate must be > 0, got ${c.learning_rate}`);
  if (!(c.beta >= 0)) bad(`beta must be >= 0, got ${c.beta}`);
  if (!(c.epsilon_low >= 0 && c.epsilon_low < 1)) bad(`epsilon_low must be in [0, 1), got ${c.epsilon_low}`);
  if (!(c.epsilon_high >= 0)) bad(`epsilon_high must be >= 0, got ${c.epsilon_high}`);
  if (!Number.isInteger(c.num_iterations) || c.num_iterations < 1) bad(`num_iterations must be a positive integer, got ${c.num_iterations}`);
  if (!(c.max_completion_length > 0)) bad(`max_completion_length must be > 0, got ${c.max_completion_length}`);
  if (!(c.weight_decay >= 0)) bad(`weight_decay must be >= 0, got ${c.weight_decay}`);
}

/** Supervised fine-tuning: mean NLL of completion tokens (prompt tokens never enter the loss). */
export function sft(model: TrainableModel, examples: SftExample[], cfg: SftConfig, tokenBudget = DEFAULT_TOKEN_BUDGET): { loss: number; steps: number } {
  if (examples.length === 0) throw new Error('sft needs at least one example.');
  if (!Number.isInteger(cfg.batch_size) || cfg.batch_size < 1) throw new Error(`sft batch_size must be a positive integer, got ${cfg.batch_size}.`);
  const seqs = examples.map((e) => encode(model, e.messages, e.completion));
  const opt = new AdamW();
  const rng = new Rng(cfg.seed);
  let steps = 0;
  let lastLoss = NaN;
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    const order = shuffle(seqs.map((_, i) => i), rng);
    let epochLoss = 0;
    for (let i = 0; i < order.length; i += cfg.batch_size) {
      const batch = order.slice(i, i + cfg.batch_size);
      epochLoss += sftStep(model, opt, seqs, batch, cfg.learning_rate, tokenBudget) * batch.length;
      steps++;
    }
    lastLoss = epochLoss / order.length;
  }
  opt.dispose();
  return { loss: lastLoss, steps };
}

function sftStep(model: TrainableModel, opt: AdamW, seqs: TrainingSequence[], batch: number[], lr: number, budget: number): number {
  const mbs = microBatches(seqs, batch, budget);
  const tokens = batch.reduce((a, i) => a + seqs[i].completionLength, 0);
  const names = [...model.params.keys()];
  const vars = names.map((n) => model.params.get(n) as tf.Variable);
  const grads = new Map<string, tf.Tensor>();
  let loss = 0;
  for (const mb of mbs) {
    const r = tf.variableGrads(() => {
      const logp = tokenLogprobs(model.params, model.config, mb.tokens, mb.B, mb.T);
      return tf.div(tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(mb.mask, [mb.B, mb.T])))), tokens) as tf.Scalar;
    }, vars);
    loss += r.value.dataSync()[0];
    r.value.dispose();
    const byName = new Map<string, tf.Tensor>();
    vars.forEach((v, i) => { const g = r.grads[v.name]; if (g) byName.set(names[i], g); });
    accumulate(grads, byName);
  }
  opt.step(model.params, grads, { learningRate: lr, weightDecay: 0, maxGradNorm: 1 });
  tf.dispose([...grads.values()]);
  return loss;
}

function shuffle<T>(arr: T[], rng: Rng): T[] {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [arr[i], arr[j]] = [arr[j], arr[i]];
  }
  return arr;
}
