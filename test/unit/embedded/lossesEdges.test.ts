import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { grpoLoss, groupAdvantages, LOSS_REDUCERS, type NormContext } from '../../../src/embedded/losses';
import type { LossType } from '../../../src/embedded/backend';
import { setupTf } from './helpers';

// Edges of the GRPO loss the hand-computed table does not reach: padding-only
// rows, missing reference logprobs, unknown loss types, flat groups whose
// float mean is not exact (issue 18, mutation testing).

/** float32 tensors: equal to 1e-6. */
const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} vs ${expected}`);

const ctx: NormContext = { stepSequences: 2, stepTokens: 2, microBatches: 1, maxCompletionLength: 2 };

function lossOf(lossType: LossType, mask: number[][], c: Partial<NormContext> = {}, beta = 0, withRef = true): number {
  return tf.tidy(() => {
    const out = grpoLoss({
      logp: tf.tensor2d([[-1, -1], [-1, -1]]),
      oldLogp: tf.tensor2d([[-1, -1], [-1, -1]]),
      ...(withRef ? { refLogp: tf.tensor2d([[-1, -1], [-1, -1]]) } : {}),
      advantages: tf.tensor1d([1, 1]),
      mask: tf.tensor2d(mask),
    }, { beta, epsilon_low: 0.2, epsilon_high: 0.2 }, lossType, { ...ctx, ...c });
    return out.loss.dataSync()[0];
  });
}

describe('GRPO loss: edges', () => {
  before(setupTf);

  it('a sequence with no completion tokens adds nothing and divides by nothing', () => {
    // Row 1 is padding only: ratio 1, A = 1, so each real token contributes -1.
    near(lossOf('grpo', [[1, 1], [0, 0]]), -1 / 2, 'grpo: row means (-1 and 0) over 2 sequences');
    near(lossOf('bnpo', [[0, 0], [0, 0]]), 0, 'bnpo: an all-padding micro-batch is 0, not NaN');
    near(lossOf('dapo', [[0, 0], [0, 0]], { stepTokens: 0 }), 0, 'dapo: a step without tokens is 0, not NaN');
    near(lossOf('dapo', [[1, 0], [0, 0]], { stepTokens: 4 }), -1 / 4, 'dapo divides by the step\'s tokens');
    near(lossOf('dr_grpo', [[1, 1], [1, 0]], { stepSequences: 3, maxCompletionLength: 5 }), -3 / 15, 'dr_grpo');
  });

  it('beta > 0 without reference logprobs is an error that says what to call', () => {
    assert.throws(() => lossOf('dapo', [[1, 1], [1, 1]], {}, 0.1, false), /beta > 0 needs reference logprobs \(call setReference first\)/);
    near(lossOf('dapo', [[1, 1], [1, 1]], {}, 0, false), -4 / 2, 'beta = 0 needs none');
  });

  it('an unknown loss type names the accepted ones', () => {
    assert.throws(() => lossOf('ppo' as LossType, [[1, 1], [1, 1]]), new RegExp(`Unknown loss_type "ppo"; expected one of ${Object.keys(LOSS_REDUCERS).join(', ')}\\.`));
  });
});

describe('group advantages: edges', () => {
  it('a flat group is exactly 0 even when its float mean is not exact', () => {
    // 0.1 + 0.1 + 0.1 = 0.30000000000000004: r - mean is -1.4e-17, which /1e-4 would turn into noise.
    assert.deepEqual(groupAdvantages([[{ reward: 0.1 }, { reward: 0.1 }, { reward: 0.1 }]], true), [[0, 0, 0]]);
  });

  it('a single member has advantage 0 unless one was precomputed', () => {
    assert.deepEqual(groupAdvantages([[{ reward: 0.7 }]], true), [[0]]);
    assert.deepEqual(groupAdvantages([[{ reward: 0.7, advantage: -0.3 }]], true), [[-0.3]]);
  });

  it('scales by the sample std of two members', () => {
    // rewards 0 and 2: mean 1, sample std sqrt(2).
    const [[a, b]] = groupAdvantages([[{ reward: 0 }, { reward: 2 }]], true);
    assert.ok(Math.abs(a + 1 / (Math.SQRT2 + 1e-4)) < 1e-12, String(a));
    assert.ok(Math.abs(b - 1 / (Math.SQRT2 + 1e-4)) < 1e-12, String(b));
  });
});
