import { strict as assert } from 'node:assert';
import { parseCheckpoint, parseInitialize, parseJobRequest, parseStep } from '../../../../src/embedded/server/grpoRequests';
import { refused } from './httpHelpers';

// What the GRPO routes accept as training data: each member's reward,
// advantage and logprobs reach the trainer exactly as sent, and a group of the
// wrong size or a member with the wrong shape is a 400 naming it (issue 18).

const member = (extra: Record<string, unknown> = {}) => ({
  messages: [{ role: 'user', content: 'q' }],
  completion: { role: 'assistant', content: 'a' },
  reward: 1,
  ...extra,
});
const step = (batch: unknown, extra: Record<string, unknown> = {}) => ({ job_id: 'j', model: 'openai/tiny', batch_id: 0, batch, ...extra });
const three = () => 3;

describe('GRPO requests: step', () => {
  it('passes each member through as sent, logprobs and advantages included', () => {
    const s = parseStep(step([[member({ reward: 0.5, advantage: -1, logprobs: [-0.5, 0] }), member({ reward: 0 , advantage: 1 })]], { metrics: { 'reward/mean': 0.25 } }), three);
    assert.deepEqual(s, {
      jobId: 'j',
      model: 'tiny',
      batchId: 0,
      groups: [[
        { messages: [{ role: 'user', content: 'q' }], completion: 'a', reward: 0.5, advantage: -1, logprobs: [-0.5, 0] },
        { messages: [{ role: 'user', content: 'q' }], completion: 'a', reward: 0, advantage: 1 },
      ]],
      clientMetrics: { 'reward/mean': 0.25 },
    });
    assert.equal(parseStep(step([[member(), member(), member()]]), three).clientMetrics, undefined);
  });

  it('needs num_generations members per group, or 2 to num_generations that all carry an advantage', () => {
    parseStep(step([[member(), member(), member()]]), three);
    refused(() => parseStep(step([[member(), member()]]), three), 'batch[0]', /has 2 member\(s\) but this job's num_generations is 3; send exactly 3 completions per group, or 2 to 3 members that all carry `advantage`/);
    refused(() => parseStep(step([[member({ advantage: 1 }), member()]]), three), 'batch[0]', /has 2 member/);
    refused(() => parseStep(step([[member({ advantage: 1 })]]), three), 'batch[0]', /has 1 member/);
    refused(() => parseStep(step([[1, 2].map(() => member({ advantage: 0 })), [0, 1, 2, 3].map(() => member({ advantage: 0 }))]), three), 'batch[1]', /has 4 member/);
    refused(() => parseStep(step([[null, member({ advantage: 1 })]]), three), 'batch[0]', /has 2 member/);
    assert.equal(parseStep(step([[member({ advantage: 1 }), member({ advantage: -1 })]]), three).groups[0].length, 2);
    refused(() => parseStep(step([]), three), 'batch', /must hold at least one group/);
    refused(() => parseStep(step({}), three), 'batch', /must be an array/);
    refused(() => parseStep(step([{}]), three), 'batch[0]', /must be an array/);
  });

  it('checks every member field by path', () => {
    const one = (m: Record<string, unknown>) => () => parseStep(step([[member(), member(), m]]), three);
    refused(one(member({ completion: { role: 'user', content: 'a' } })), 'batch[0][2].completion.role', /must be "assistant", got "user"/);
    refused(one(member({ completion: { content: 'a' } })), 'batch[0][2].completion.role', /must be "assistant", got nothing/);
    refused(one(member({ completion: { role: 'assistant', content: 3 } })), 'batch[0][2].completion.content', /sampled completion text/);
    refused(one(member({ reward: 'high' })), 'batch[0][2].reward', /must be a number/);
    refused(one(member({ reward: undefined })), 'batch[0][2].reward', /Missing required field/);
    refused(one(member({ logprobs: [-1, 0.1] })), 'batch[0][2].logprobs[1]', /<= 0/);
    refused(one(member({ logprobs: 'x' })), 'batch[0][2].logprobs', /must be an array/);
    refused(one(member({ extra: 1 })), 'batch[0][2].extra', /Unknown field/);
    refused(one(member({ messages: [] })), 'batch[0][2].messages', /at least one message/);
    refused(() => parseStep(step([[member(), member(), member()]], { metrics: { a: 'x' } }), three), 'metrics.a', /must be a number/);
    refused(() => parseStep(step([[member(), member(), member()]], { batch_id: -1 }), three), 'batch_id', />= 0/);
  });
});

describe('GRPO requests: initialize, checkpoint, job', () => {
  const init = (extra: Record<string, unknown> = {}) => ({
    model: 'arbor:tiny',
    trainer_config: { num_generations: 4 },
    inference_config: { model: 'tiny', max_seq_len: 128 },
    ...extra,
  });

  it('reads the job settings and requires one model for training and serving', () => {
    const i = parseInitialize(init({ run_name: 'r', dry_run: true, gpu_config: { type: 'multi', multi: { num_inference_gpus: 0, num_training_gpus: 1 } } }));
    assert.deepEqual([i.model, i.runName, i.maxSeqLen, i.dryRun, i.settings.numGenerations], ['tiny', 'r', 128, true, 4]);
    assert.equal(parseInitialize(init()).dryRun, false);
    refused(() => parseInitialize(init({ inference_config: { model: 'other', max_seq_len: 128 } })), 'inference_config.model', /\(other\) must name the same model as `model` \(tiny\)/);
    refused(() => parseInitialize(init({ gpu_config: { type: 'multi', multi: { num_training_gpus: -1 } } })), 'gpu_config.multi.num_training_gpus', />= 0/);
    refused(() => parseInitialize(init({ gpu_config: { kind: 1 } })), 'gpu_config.kind', /Unknown field/);
    refused(() => parseInitialize(init({ inference_config: { model: 'tiny', max_seq_len: 0 } })), 'inference_config.max_seq_len', />= 1/);
  });

  it('allows plain checkpoint names only and reads job ids strictly', () => {
    assert.deepEqual(parseCheckpoint({ job_id: 'j', checkpoint_name: 'step_1', metadata: { a: 1 } }), { jobId: 'j', name: 'step_1', metadata: { a: 1 } });
    assert.deepEqual(parseCheckpoint({ job_id: 'j', checkpoint_name: 'c' }).metadata, {});
    refused(() => parseCheckpoint({ job_id: 'j', checkpoint_name: '../up' }), 'checkpoint_name', /only letters, digits.*becomes a directory name/);
    assert.equal(parseJobRequest({ job_id: 'j' }), 'j');
    refused(() => parseJobRequest({ job_id: 'j', x: 1 }), 'x', /Unknown field/);
  });
});
