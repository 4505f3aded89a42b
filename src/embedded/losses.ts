import * as tf from '@tensorflow/tfjs-core';
import type { LossType } from './backend';

/** Per-token GRPO inputs over a padded batch of S sequences and T positions. */
export interface GrpoTokens {
  /** log pi_theta(token) [S, T] (differentiable). */
  logp: tf.Tensor2D;
  /** log pi_old(token) [S, T] (constant: from sampling, or the pre-update policy). */
  oldLogp: tf.Tensor2D;
  /** log pi_ref(token) [S, T]; omitted when beta = 0. */
  refLogp?: tf.Tensor2D;
  /** Advantage per sequence [S]. */
  advantages: tf.Tensor1D;
  /** 1 on completion tokens, 0 on prompt and padding [S, T]. */
  mask: tf.Tensor2D;
}

export interface ClipConfig {
  beta: number;
  epsilon_low: number;
  epsilon_high: number;
}

/** Totals over the whole optimizer step, so micro-batched gradients sum to the full-batch gradient. */
export interface NormContext {
  stepSequences: number;
  stepTokens: number;
  microBatches: number;
  maxCompletionLength: number;
}

export interface PerTokenLoss {
  /** -min(r A, clip(r) A) + beta * k3 [S, T]. */
  loss: tf.Tensor2D;
  /** k3 estimator of KL(pi_theta || pi_ref) [S, T] (zeros when beta = 0). */
  kl: tf.Tensor2D;
  /** 1 where the clip is active (the gradient is cut), TRL's definition [S, T]. */
  clipped: tf.Tensor2D;
}

export function grpoPerToken(x: GrpoTokens, c: ClipConfig): PerTokenLoss {
  const ratio = tf.exp(tf.sub(x.logp, x.oldLogp));
  const adv = tf.expandDims(x.advantages, 1);                                        // [S, 1]
  const unclipped = tf.mul(ratio, adv);
  const clippedObj = tf.mul(tf.clipByValue(ratio, 1 - c.epsilon_low, 1 + c.epsilon_high), adv);
  let loss = tf.neg(tf.minimum(unclipped, clippedObj)) as tf.Tensor2D;
  let kl = tf.zerosLike(x.logp) as tf.Tensor2D;
  if (c.beta > 0) {
    if (!x.refLogp) throw new Error('beta > 0 needs reference logprobs (call setReference first).');
    const d = tf.sub(x.refLogp, x.logp);
    kl = tf.sub(tf.sub(tf.exp(d), d), 1) as tf.Tensor2D;                               // k3 = e^d - d - 1 >= 0
    loss = tf.add(loss, tf.mul(kl, c.beta)) as tf.Tensor2D;
  }
  const low = tf.logicalAnd(tf.less(ratio, 1 - c.epsilon_low), tf.less(adv, 0));
  const high = tf.logicalAnd(tf.greater(ratio, 1 + c.epsilon_high), tf.greater(adv, 0));
  const clipped = tf.cast(tf.logicalOr(low, high), 'float32') as tf.Tensor2D;
  return { loss, kl, clipped };
}

type Reducer = (perToken: tf.Tensor2D, mask: tf.Tensor2D, ctx: NormContext) => tf.Scalar;

const maskedSum = (t: tf.Tensor2D, m: tf.Tensor2D) => tf.sum(tf.mul(t, m));

/**
 * Loss normalizations (TRL semantics), one function per type:
 * grpo: mean over sequences of each sequence's token mean;
 * bnpo: token mean within each micro-batch, averaged over micro-batches;
 * dr_grpo: token sum / (sequences x max_completion_length), length-unbiased;
 * dapo: token sum / all completion tokens of the step.
 */
export const LOSS_REDUCERS: Record<LossType, Reducer> = {
  grpo: (t, m, ctx) => tf.div(tf.sum(tf.div(tf.sum(tf.mul(t, m), 1), tf.maximum(tf.sum(m, 1), 1))), ctx.stepSequences),
  bnpo: (t, m, ctx) => tf.div(tf.div(maskedSum(t, m), tf.maximum(tf.sum(m), 1)), ctx.microBatches),
  dr_grpo: (t, m, ctx) => tf.div(maskedSum(t, m), ctx.stepSequences * ctx.maxCompletionLength),
  dapo: (t, m, ctx) => tf.div(maskedSum(t, m), Math.max(ctx.stepTokens, 1)),
};

export interface GrpoLoss {
  loss: tf.Scalar;
  /** Masked sums for metrics. */
  klSum: tf.Scalar;
  clipSum: tf.Scalar;
}

export function grpoLoss(x: GrpoTokens, c: ClipConfig, lossType: LossType, ctx: NormContext): GrpoLoss {
  const reducer = LOSS_REDUCERS[lossType];
  if (!reducer) throw new Error(`Unknown loss_type "${String(lossType)}"; expected one of ${Object.keys(LOSS_REDUCERS).join(', ')}.`);
  const pt = grpoPerToken(x, c);
  return { loss: reducer(pt.loss, x.mask, ctx), klSum: maskedSum(pt.kl, x.mask) as tf.Scalar, clipSum: maskedSum(pt.clipped, x.mask) as tf.Scalar };
}

/**
 * Group-relative advantages: r - mean(group), divided by (std + 1e-4) with
 * scale_rewards (sample std, as TRL/Arbor). A member's precomputed advantage
 * wins. A group whose rewards are all equal carries no signal: exactly 0.
 */
export function groupAdvantages(groups: { reward: number; advantage?: number }[][], scaleRewards: boolean): number[][] {
  return groups.map((g) => {
    const rewards = g.map((m) => m.reward);
    const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
    const allEqual = rewards.every((r) => r === rewards[0]);
    const std = rewards.length > 1 ? Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / (rewards.length - 1)) : 0;
    return g.map((m) => {
      if (m.advantage !== undefined) return m.advantage;
      if (allEqual) return 0;
      return scaleRewards ? (m.reward - mean) / (std + 1e-4) : m.reward - mean;
    });
  });
}
