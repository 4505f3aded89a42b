import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { FakeBackend } from '../../../fixtures/fakeBackend';
import { initializeBody, member, request, startFakeServer, stepBody, type TestServer } from './httpHelpers';

describe('embedded server: Arbor protocol', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('binds 127.0.0.1 and reports a /v1 base URL', () => {
    assert.match(server.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it('listens on 127.0.0.1 only: the listening socket\'s own address, not just the URL it reports', async () => {
    // The URL is a string the server builds; the socket's address is what other machines can reach.
    const listening: net.Server[] = [];
    const original = net.Server.prototype.listen;
    net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
      listening.push(this);
      return (original as (...a: unknown[]) => net.Server).apply(this, args);
    } as typeof original;
    let other: TestServer;
    try {
      other = await startFakeServer();
    } finally {
      net.Server.prototype.listen = original;
    }
    try {
      assert.equal(listening.length, 1, 'one listening socket');
      const { address, family, port } = listening[0].address() as net.AddressInfo;
      assert.deepEqual({ address, family, port }, { address: '127.0.0.1', family: 'IPv4', port: other.port });
    } finally {
      await other.close();
    }
  });

  it('runs initialize -> chat -> step -> status -> checkpoint -> terminate', async () => {
    const init = await request(server, 'fine_tuning/grpo/initialize', { body: initializeBody() });
    assert.equal(init.status, 200, init.text);
    const jobId: string = init.json.job_id;
    assert.equal(jobId, 'grpo:tiny-fake:my-run:20250102');
    assert.equal(init.json.current_model, jobId);
    assert.equal(init.json.status, 'running');
    assert.deepEqual(init.json.pending_batch_ids, []);
    assert.equal(init.json.capabilities.advantage, true);

    const chat = (model: string) =>
      request(server, 'chat/completions', { body: { model, messages: [{ role: 'user', content: 'hi' }], logprobs: true, top_logprobs: 1 } });
    const before = await chat(`openai/${jobId}`);
    assert.equal(before.status, 200, before.text);
    assert.equal(before.json.choices[0].message.content, 'fake answer v0');
    assert.equal(before.json.model, jobId);

    const step = await request(server, 'fine_tuning/grpo/step', { body: stepBody(jobId, 7, { metrics: { 'reward/mean': 0.4 } }) });
    assert.equal(step.status, 200, step.text);
    assert.deepEqual(step.json.pending_batch_ids, []);
    assert.equal(step.json.last_step_metrics.batch_id, 7);
    assert.equal(step.json.last_step_metrics.global_step, 1);
    assert.deepEqual(step.json.last_step_metrics.client, { 'reward/mean': 0.4 });
    assert.equal(server.backend!.record.steps.length, 1);
    assert.equal(server.backend!.record.steps[0].config.loss_type, 'grpo');
    assert.equal(server.backend!.record.steps[0].groups[0][0].completion, 'a');

    const after = await chat(jobId);
    assert.equal(after.json.choices[0].message.content, 'fake answer v1', 'the job model serves updated weights');
    const base = await chat('tiny-fake');
    assert.equal(base.json.choices[0].message.content, 'fake answer v1', 'the base name serves them too');

    const status = await request(server, 'fine_tuning/grpo/status', { body: { job_id: jobId } });
    assert.equal(status.json.global_step, 1);
    assert.equal(status.json.last_step_metrics.batch_id, 7);

    const ckpt = await request(server, 'fine_tuning/grpo/checkpoint', { body: { job_id: jobId, checkpoint_name: 'ckpt-1', metadata: { note: 'x' } } });
    assert.equal(ckpt.status, 200, ckpt.text);
    const info = ckpt.json.checkpoints['ckpt-1'];
    assert.equal(info.global_step, 1);
    assert.deepEqual(info.metadata, { note: 'x' });
    assert.equal(info.checkpoint_dir, path.join(server.dir, 'grpo_tiny-fake_my-run_20250102', 'ckpt-1'));
    assert.ok(fs.existsSync(path.join(info.checkpoint_dir, 'fake.json')));
    assert.equal(ckpt.json.last_checkpoint, 'ckpt-1');

    const term = await request(server, 'fine_tuning/grpo/terminate', { body: { job_id: jobId } });
    assert.equal(term.status, 200, term.text);
    assert.equal(term.json.status, 'succeeded');
    assert.equal(term.json.last_checkpoint, 'final');
    assert.ok(fs.existsSync(path.join(term.json.checkpoints.final.checkpoint_dir, 'fake.json')));

    const served = await chat(jobId);
    assert.equal(served.status, 200, 'inference keeps serving the trained model after terminate');
    const late = await request(server, 'fine_tuning/grpo/step', { body: stepBody(jobId, 8) });
    assert.equal(late.status, 409);
  });

  it('treats a repeated batch_id as already trained (safe client retries)', async () => {
    const jobId = (await request(server, 'fine_tuning/grpo/initialize', { body: initializeBody() })).json.job_id;
    await request(server, 'fine_tuning/grpo/step', { body: stepBody(jobId, 1) });
    const again = await request(server, 'fine_tuning/grpo/step', { body: stepBody(jobId, 1) });
    assert.equal(again.status, 200);
    assert.equal(server.backend!.record.steps.length, 1);
  });

  it('maps trainer_config to the backend config with spec defaults', async () => {
    const body = initializeBody({ trainer_config: { num_generations: 2 } });
    const jobId = (await request(server, 'fine_tuning/grpo/initialize', { body })).json.job_id;
    await request(server, 'fine_tuning/grpo/step', { body: stepBody(jobId, 0) });
    const config = server.backend!.record.steps[0].config;
    assert.equal(config.beta, 0);
    assert.equal(config.loss_type, 'dapo');
    assert.equal(config.epsilon_low, 0.2);
    assert.equal(config.epsilon_high, 0.2);
    assert.equal(config.num_iterations, 1);
    assert.equal(config.scale_rewards, true);
    assert.equal(config.max_grad_norm, 1);
    assert.equal(config.temperature, 1);
    // constant_with_warmup over 10 warmup steps: the first step trains at a fraction of 1e-6.
    assert.ok(config.learning_rate > 0 && config.learning_rate < 1e-6);
  });

  it('passes advantage and logprobs extensions through to the backend', async () => {
    const jobId = (await request(server, 'fine_tuning/grpo/initialize', { body: initializeBody() })).json.job_id;
    const batch = [[member('a', 1, { advantage: 0.7, logprobs: [-0.1, -0.2] }), member('b', 0, { advantage: -0.7 })]];
    const res = await request(server, 'fine_tuning/grpo/step', { body: stepBody(jobId, 0, { batch }) });
    assert.equal(res.status, 200, res.text);
    const got = server.backend!.record.steps[0].groups[0];
    assert.equal(got[0].advantage, 0.7);
    assert.deepEqual(got[0].logprobs, [-0.1, -0.2]);
    assert.equal(got[1].logprobs, undefined);
  });

  it('serves guided choices, n samples and OpenAI-shaped logprobs', async () => {
    const res = await request(server, 'chat/completions', {
      body: {
        model: 'local:tiny-fake',
        messages: [{ role: 'system', content: 's' }, { role: 'user', content: [{ type: 'text', text: 'pick' }] }],
        structured_outputs: { choice: ['yes', 'no'] },
        n: 3,
        seed: 5,
        max_completion_tokens: 4,
        stop: 'x',
        logprobs: true,
        top_logprobs: 2,
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.object, 'chat.completion');
    assert.equal(res.json.choices.length, 3);
    for (const c of res.json.choices) assert.ok(['yes', 'no'].includes(c.message.content));
    const lp = res.json.choices[0].logprobs.content[0];
    assert.deepEqual(lp.bytes, [...Buffer.from(lp.token)]);
    assert.equal(lp.top_logprobs.length, 1);
    const sent = server.backend!.record.generates[0];
    assert.deepEqual(sent.guidedChoice, ['yes', 'no']);
    assert.deepEqual(sent.stop, ['x']);
    assert.equal(sent.max_tokens, 4);
    assert.equal(sent.messages?.[1].content, 'pick');
    assert.equal(res.json.usage.total_tokens, res.json.usage.prompt_tokens + res.json.usage.completion_tokens);
  });

  it('lists the base model and job models, and advertises capabilities', async () => {
    const jobId = (await request(server, 'fine_tuning/grpo/initialize', { body: initializeBody() })).json.job_id;
    const models = await request(server, 'models');
    assert.deepEqual(models.json.data.map((m: { id: string }) => m.id), ['tiny-fake', jobId]);
    const caps = await request(server, 'capabilities');
    assert.deepEqual(
      { a: caps.json.advantage, l: caps.json.logprobs, m: caps.json.metrics },
      { a: true, l: true, m: true },
    );
  });

  it('refuses a second job while one is running, and allows it after cancel', async () => {
    const jobId = (await request(server, 'fine_tuning/grpo/initialize', { body: initializeBody() })).json.job_id;
    const second = await request(server, 'fine_tuning/grpo/initialize', { body: initializeBody() });
    assert.equal(second.status, 409);
    assert.match(second.json.error.message, /terminate or cancel/);
    const cancel = await request(server, 'fine_tuning/grpo/cancel', { body: { job_id: jobId } });
    assert.equal(cancel.json.status, 'cancelled');
    const third = await request(server, 'fine_tuning/grpo/initialize', { body: initializeBody() });
    assert.equal(third.status, 200);
    assert.equal(third.json.job_id, `${jobId.replace(':my-run:', ':my-run-2:')}`);
  });

  it('answers a dry-run initialize without creating a job', async () => {
    const res = await request(server, 'fine_tuning/grpo/initialize', { body: initializeBody({ dry_run: true }) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.status, 'pending');
    const models = await request(server, 'models');
    assert.equal(models.json.data.length, 1);
  });

  it('turns a backend failure into a 500 JSON error and keeps serving', async () => {
    await server.close();
    server = await startFakeServer(new FakeBackend({ failGenerate: 'out of memory' }));
    const res = await request(server, 'chat/completions', { body: { model: 'tiny-fake', messages: [{ role: 'user', content: 'x' }] } });
    assert.equal(res.status, 500);
    assert.equal(res.json.error.type, 'server_error');
    assert.match(res.json.error.message, /out of memory/);
    assert.equal((await request(server, 'models')).status, 200);
  });
});
