import { strict as assert } from 'node:assert';
import { estimatePromptSearchCost, optimizePrompts } from '../../../../../src/engine/optimize/prompt';
import { MAGIC, QA, promptSensitiveLM, qaTask } from './helpers';

const INPUT = {
  modules: 2,
  trainSize: 10,
  valSize: 6,
  trials: 7,
  minibatchSize: 4,
  fullEvalEvery: 3,
  avgPromptTokens: 100,
  avgCompletionTokens: 20,
};

describe('estimatePromptSearchCost', () => {
  it('adds up bootstrap, baseline, minibatch and full-eval runs', () => {
    const e = estimatePromptSearchCost({ ...INPUT, prices: { promptPricePerMTok: 1, completionPricePerMTok: 2 } });
    // runs: bootstrap 10 + baseline 6 + minibatches 7*4 + full evals ceil(7/3)*6 = 62; two calls per run.
    assert.deepEqual(e.runs, { bootstrap: 10, baseline: 6, minibatch: 28, fullEval: 18 });
    assert.equal(e.lmCalls, 124);
    assert.equal(e.promptTokens, 12400);
    assert.equal(e.completionTokens, 2480);
    assert.ok(Math.abs(e.cost! - 0.01736) < 1e-12);
  });

  it('uses the trainset when there is no valset, caps minibatches, and has no cost without prices', () => {
    const e = estimatePromptSearchCost({ ...INPUT, valSize: 0, minibatchSize: 50, bootstrap: false });
    assert.deepEqual(e.runs, { bootstrap: 0, baseline: 10, minibatch: 70, fullEval: 30 });
    assert.equal(e.cost, undefined);
    assert.throws(() => estimatePromptSearchCost({ ...INPUT, fullEvalEvery: 0 }), /`fullEvalEvery` must be a whole number >= 1/);
  });

  it('is an upper bound of what the search really calls', async () => {
    const task = qaTask(new QA());
    const lm = promptSensitiveLM();
    const shape = { trials: 9, minibatchSize: 3, fullEvalEvery: 2 };
    await optimizePrompts({ program: task.program, task, lm, instructionCandidates: { qa: ['A.', MAGIC] }, seed: 4, concurrency: 2, ...shape });
    const e = estimatePromptSearchCost({ ...shape, modules: 1, trainSize: 8, valSize: 8, avgPromptTokens: 1, avgCompletionTokens: 1, bootstrap: false });
    assert.ok(lm.callCount <= e.lmCalls, `search made ${lm.callCount} calls, estimate ${e.lmCalls}`);
    assert.ok(lm.callCount >= 8 + 9 * 3, 'baseline and every minibatch ran');
  });
});
