import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { grpoLoss, groupAdvantages, LOSS_REDUCERS, type NormContext } from '../../../src/embedded/losses';
import type { LossType } from '../../../src/embedded/backend';
import { setupTf } from './helpers';

const close = (a: number, b: number, tol = 1e-5, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs expected ${b}`);

describe('GRPO loss against hand-computed values', () => {
  before(setupTf);

  // Two sequences, 3 positions; sequence 0 has 2 completion tokens, sequence 1 has 3.
  const logp = [[-1.0, -0.5, 0], [-2.0, -0.3, -1.0]];
  const old = [[-1.1, -0.9, 0], [-1.5, -0.3, -1.2]];
  const ref = [[-1.2, -0.4, 0], [-2.1, -0.3, -0.8]];
  const mask = [[1, 1, 0], [1, 1, 1]];
  const adv = [1, -0.5];
  const clip = { epsilon_low: 0.2, epsilon_high: 0.2 };
  // As if the step held a second micro-batch: bnpo (per micro-batch) and dapo (per step) then differ.
  const ctx: NormContext = { stepSequences: 2, stepTokens: 10, microBatches: 2, maxCompletionLength: 4 };

  // Hand-derived per-token policy terms, -min(r A, clip(r, 0.8, 1.2) A):
  // seq0: r = e^0.1 = 1.105171 -> -1.105171 ; r = e^0.4 = 1.491825 > 1.2 with A > 0 -> clipped: -1.2
  // seq1 (A = -0.5): r = e^-0.5 = 0.606531 < 0.8 -> clipped: -min(-0.303265, -0.4) = 0.4 ; r = 1 -> 0.5 ;
  //                   r = e^0.2 = 1.221403: -min(-0.610701, -0.6) = 0.610701 (unclipped side wins for A < 0)
  const policy = [[-Math.exp(0.1), -1.2], [0.4, 0.5, 0.5 * Math.exp(0.2)]];
  // k3 = e^d - d - 1 with d = ref - logp
  const k3 = (d: number) => Math.exp(d) - d - 1;
  const kl = [[k3(-0.2), k3(0.1)], [k3(-0.1), k3(0), k3(0.2)]];

  function run(lossType: LossType, beta: number) {
    return tf.tidy(() => {
      const out = grpoLoss({
        logp: tf.tensor2d(logp), oldLogp: tf.tensor2d(old), refLogp: tf.tensor2d(ref),
        advantages: tf.tensor1d(adv), mask: tf.tensor2d(mask),
      }, { beta, ...clip }, lossType, ctx);
      return [out.loss.dataSync()[0], out.klSum.dataSync()[0], out.clipSum.dataSync()[0]];
    });
  }

  for (const beta of [0, 0.1]) {
    const tok = policy.map((row, s) => row.map((v, t) => v + beta * kl[s][t]));
    const seqSums = tok.map((row) => row.reduce((a, b) => a + b, 0));
    const total = seqSums[0] + seqSums[1];
    const expected: Record<LossType, number> = {
      grpo: (seqSums[0] / 2 + seqSums[1] / 3) / 2,
      bnpo: total / 5 / 2,
      dr_grpo: total / (2 * 4),
      dapo: total / 10,
    };
    for (const lossType of Object.keys(LOSS_REDUCERS) as LossType[]) {
      it(`${lossType} with beta=${beta}`, () => {
        const [loss, klSum, clipSum] = run(lossType, beta);
        close(loss, expected[lossType], 1e-5, lossType);
        close(clipSum, 2, 0, 'clipped tokens');
        close(klSum, beta > 0 ? kl.flat().reduce((a, b) => a + b, 0) : 0, 1e-5, 'kl sum');
      });
    }
  }

  it('the clipped branch carries no gradient, the unclipped one does', () => {
    const g = tf.grad((lp: tf.Tensor) => grpoLoss({
      logp: lp as tf.Tensor2D, oldLogp: tf.tensor2d(old), advantages: tf.tensor1d(adv), mask: tf.tensor2d(mask),
    }, { beta: 0, ...clip }, 'dapo', ctx).loss)(tf.tensor2d(logp)).arraySync() as number[][];
    close(g[0][1], 0, 0, 'clipped token (r > 1 + eps, A > 0)');
    close(g[1][0], 0, 0, 'clipped token (r < 1 - eps, A < 0)');
    close(g[0][0], -Math.exp(0.1) / 10, 1e-6, 'd/dlogp of -r A / 10');
    close(g[1][2], 0.5 * Math.exp(0.2) / 10, 1e-6, 'unclipped A < 0');
    close(g[0][2], 0, 0, 'masked position');
  });
});

describe('group advantages', () => {
  it('normalises by the sample std, zeroes flat groups, and lets precomputed values win', () => {
    const [a, flat, pre] = groupAdvantages([
      [{ reward: 1 }, { reward: 0 }, { reward: 0 }, { reward: 1 }],
      [{ reward: 0.3 }, { reward: 0.3 }],
      [{ reward: 1, advantage: 2.5 }, { reward: 0 }],
    ], true);
    const std = Math.sqrt((4 * 0.25) / 3);
    close(a[0], 0.5 / (std + 1e-4), 1e-9);
    close(a[1], -0.5 / (std + 1e-4), 1e-9);
    assert.deepEqual(flat, [0, 0]);
    close(pre[0], 2.5, 0);
    close(pre[1], -0.5 / (Math.SQRT1_2 + 1e-4), 1e-9);
    assert.deepEqual(groupAdvantages([[{ reward: 2 }, { reward: 0 }]], false), [[1, -1]]);
  });
});
