import { strict as assert } from 'node:assert';
import { FakeBackend } from '../../../fixtures/fakeBackend';
import { initializeBody, request, startFakeServer, stepBody, type TestServer } from './httpHelpers';

const TRAINING_ROUTES: Array<[string, Record<string, unknown>]> = [
  ['fine_tuning/grpo/initialize', initializeBody()],
  ['fine_tuning/grpo/status', { job_id: 'grpo:x' }],
  ['fine_tuning/grpo/step', stepBody('grpo:x', 0)],
  ['fine_tuning/grpo/checkpoint', { job_id: 'grpo:x', checkpoint_name: 'c' }],
  ['fine_tuning/grpo/cancel', { job_id: 'grpo:x' }],
  ['fine_tuning/grpo/terminate', { job_id: 'grpo:x' }],
  ['fine_tuning/sft', { model: 'tiny-fake', examples: [{ messages: [{ role: 'user', content: 'q' }], completion: 'a' }] }],
];

describe('embedded server: capabilities and inference-only backends', () => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  it('reports training and inference features next to the unchanged Arbor extensions', async () => {
    server = await startFakeServer();
    const caps = (await request(server, 'capabilities')).json;
    assert.deepEqual(
      { advantage: caps.advantage, logprobs: caps.logprobs, metrics: caps.metrics, dry_run: caps.dry_run, variable_group_size: caps.variable_group_size, sft: caps.sft },
      { advantage: true, logprobs: true, metrics: true, dry_run: true, variable_group_size: true, sft: true },
    );
    assert.ok(caps.trainer_config_extensions.includes('num_iterations'));
    assert.equal(caps.training, true);
    assert.deepEqual(caps.inference, { stream: true, response_format: true, logprobs: true, completions: true, penalties: false });
    const init = await request(server, 'fine_tuning/grpo/initialize', { body: initializeBody() });
    assert.deepEqual(init.json.capabilities, caps, 'a job status carries the same capabilities');
  });

  it('refuses every training route on a backend that cannot train, and keeps serving inference', async () => {
    const backend = new FakeBackend({ features: { training: false, logprobs: true, responseFormat: true } });
    server = await startFakeServer(backend);
    for (const [route, body] of TRAINING_ROUTES) {
      const res = await request(server, route, { body });
      assert.equal(res.status, 400, `${route}: ${res.text}`);
      assert.equal(res.json.error.type, 'invalid_request_error');
      assert.match(res.json.error.message, /serves inference only/);
      assert.match(res.json.error.message, /embedded tiny backend .* or a remote Arbor trainer/);
    }
    assert.equal(backend.record.steps.length, 0);
    const caps = (await request(server, 'capabilities')).json;
    assert.equal(caps.training, false);
    assert.deepEqual(caps.inference, { stream: true, response_format: true, logprobs: true, completions: true, penalties: false });
    const chat = await request(server, 'chat/completions', { body: { model: 'tiny-fake', messages: [{ role: 'user', content: 'x' }] } });
    assert.equal(chat.status, 200);
  });

  it('reports the inference features a backend lacks', async () => {
    server = await startFakeServer(new FakeBackend({ features: { training: true, logprobs: false, responseFormat: false } }));
    const caps = (await request(server, 'capabilities')).json;
    assert.deepEqual(caps.inference, { stream: true, response_format: false, logprobs: false, completions: true, penalties: false });
    assert.equal(caps.training, true);
  });
});
