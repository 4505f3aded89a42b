import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GRPOInitializeRequest, GRPOStepRequest } from '../../../../src/protocol/trainer';
import { ArborTrainerClient, type TrainerClientOptions } from '../../../../src/engine/trainer/client';
import { checkTrainer } from '../../../../src/engine/trainer/checkTrainer';
import { TrainerError } from '../../../../src/engine/trainer/errors';
import { startFakeServer, type TestServer } from '../../embedded/server/httpHelpers';
import { startFakeArbor, type FakeArbor } from './fakeArbor';

const noSleep = async (): Promise<void> => {};

function initRequest(model = 'tiny-fake'): GRPOInitializeRequest {
  return {
    model,
    run_name: 'client test',
    trainer_config: { num_generations: 2, learning_rate: 1e-3, lr_scheduler_type: 'constant', num_iterations: 2, epsilon_high: 0.28 },
    inference_config: { model, max_seq_len: 128 },
  };
}

function stepRequest(jobId: string, batchId: number): GRPOStepRequest {
  const m = (content: string, reward: number, advantage: number) => ({
    messages: [{ role: 'user' as const, content: 'q' }],
    completion: { role: 'assistant' as const, content },
    reward,
    advantage,
    logprobs: [-0.5],
  });
  return { job_id: jobId, model: jobId, batch_id: batchId, batch: [[m('a', 1, 1), m('b', 0, -1)]], metrics: { 'reward/mean': 0.5 } };
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('ArborTrainerClient', () => {
  describe('against the embedded server (advertises extensions)', () => {
    let server: TestServer;
    let client: ArborTrainerClient;
    const warnings: string[] = [];
    beforeEach(async () => {
      server = await startFakeServer();
      client = new ArborTrainerClient({ baseUrl: server.baseUrl, token: server.token, sleep: noSleep, onWarning: (w) => warnings.push(w) });
    });
    afterEach(async () => {
      await server.close();
    });

    it('runs a job and sends advantage, logprobs, metrics and config extensions', async () => {
      const init = await client.initialize(initRequest());
      assert.equal(init.status, 'running');
      const after = await client.step(stepRequest(init.job_id, 0));
      assert.equal(after.last_step_metrics?.batch_id, 0);
      assert.deepEqual(after.last_step_metrics?.client, { 'reward/mean': 0.5 });
      const sent = server.backend!.record.steps[0];
      assert.equal(sent.groups[0][0].advantage, 1);
      assert.deepEqual(sent.groups[0][0].logprobs, [-0.5]);
      assert.equal(sent.config.num_iterations, 2);
      assert.equal(sent.config.epsilon_high, 0.28);
      const ck = await client.checkpoint({ job_id: init.job_id, checkpoint_name: 'c1' });
      assert.equal(ck.last_checkpoint, 'c1');
      assert.equal((await client.cancel(init.job_id)).status, 'cancelled');
      assert.deepEqual(warnings, []);
    });

    it('checkTrainer learns capabilities and dry-runs the initialize', async () => {
      const check = await checkTrainer(client, initRequest());
      assert.equal(check.capabilities.advantage, true);
      assert.equal(check.dryRun?.status, 'pending');
      assert.deepEqual(check.warnings, []);
      assert.equal(server.backend!.record.steps.length, 0);
    });

    it('checkTrainer rejects a config the server refuses, with the server message', async () => {
      const bad = initRequest('other-model');
      await assert.rejects(checkTrainer(client, bad), (err: TrainerError) => {
        assert.equal(err.kind, 'rejected');
        assert.equal(err.status, 400);
        assert.match(err.message, /This server trains `tiny-fake`/);
        return true;
      });
    });

    it('reports a wrong token as an auth error', async () => {
      const wrong = new ArborTrainerClient({ baseUrl: server.baseUrl, token: 'nope', sleep: noSleep });
      await assert.rejects(checkTrainer(wrong), (err: TrainerError) => err.kind === 'auth' && /token/.test(err.message));
    });

    it('surfaces 4xx messages without retrying', async () => {
      let calls = 0;
      const counting: TrainerClientOptions['fetch'] = (url, init) => {
        calls++;
        return fetch(url, init);
      };
      const c = new ArborTrainerClient({ baseUrl: server.baseUrl, token: server.token, sleep: noSleep, fetch: counting });
      await assert.rejects(c.status('grpo:missing'), /No GRPO job with id `grpo:missing`/);
      assert.equal(calls, 1);
    });
  });

  describe('against a plain Arbor (no capabilities, rejects unknown fields)', () => {
    let arbor: FakeArbor;
    afterEach(async () => {
      await arbor.close();
    });

    it('strips extension fields, warns once per field, and waits for the pending batch', async () => {
      arbor = await startFakeArbor();
      const warnings: string[] = [];
      const client = new ArborTrainerClient({ baseUrl: arbor.baseUrl, sleep: noSleep, onWarning: (w) => warnings.push(w) });
      const init = await client.initialize(initRequest('m'));
      const initBody = arbor.received.find((r) => r.route.endsWith('initialize'))!.body;
      assert.equal(initBody.trainer_config.num_iterations, undefined);
      assert.equal(initBody.trainer_config.num_generations, 2);
      const status = await client.step(stepRequest(init.job_id, 4));
      await client.step(stepRequest(init.job_id, 5));
      assert.deepEqual(status.pending_batch_ids, [], 'the client polled status until batch 4 was trained');
      const stepBody = arbor.received.find((r) => r.route.endsWith('step'))!.body;
      assert.deepEqual(Object.keys(stepBody).sort(), ['batch', 'batch_id', 'job_id', 'model']);
      assert.deepEqual(Object.keys(stepBody.batch[0][0]).sort(), ['completion', 'messages', 'reward']);
      assert.equal(warnings.filter((w) => w.includes('`advantage`')).length, 1);
      assert.ok(warnings.some((w) => w.includes('trainer_config.num_iterations')));
      assert.ok(arbor.received.some((r) => r.route.endsWith('status')));
    });

    it('sends the extensions to a server that advertises them', async () => {
      arbor = await startFakeArbor({ advertise: true });
      const client = new ArborTrainerClient({ baseUrl: arbor.baseUrl, sleep: noSleep });
      await client.step(stepRequest('grpo:m:x:20250101', 1), { waitForBatch: false });
      const stepBody = arbor.received.find((r) => r.route.endsWith('step'))!.body;
      assert.equal(stepBody.batch[0][0].advantage, 1);
      assert.deepEqual(stepBody.batch[0][0].logprobs, [-0.5]);
      assert.deepEqual(stepBody.metrics, { 'reward/mean': 0.5 });
    });

    it('checkTrainer warns about what a plain Arbor cannot do', async () => {
      arbor = await startFakeArbor();
      const check = await checkTrainer({ baseUrl: arbor.baseUrl, sleep: noSleep }, initRequest('m'));
      assert.equal(check.capabilities.advantage, false);
      assert.equal(check.dryRun, undefined);
      assert.ok(check.warnings.some((w) => /advantages itself/.test(w)));
      assert.ok(check.warnings.some((w) => /num_iterations/.test(w)));
      assert.ok(!arbor.received.some((r) => r.route.endsWith('initialize')), 'no job is created by the check');
    });

    it('shows FastAPI validation details in the error', async () => {
      arbor = await startFakeArbor();
      const client = new ArborTrainerClient({ baseUrl: arbor.baseUrl, sleep: noSleep });
      const bogus = { ...initRequest('m'), extra_field: 1 } as unknown as GRPOInitializeRequest;
      await assert.rejects(client.initialize(bogus), /HTTP 422.*extra_field: Extra inputs are not permitted/);
    });

    it('retries 503s with exponential backoff', async () => {
      arbor = await startFakeArbor({ failFirst: 2 });
      const sleeps: number[] = [];
      const client = new ArborTrainerClient({ baseUrl: arbor.baseUrl, sleep: async (ms) => void sleeps.push(ms), retryBaseMs: 100 });
      assert.equal((await client.status('grpo:m:x:20250101')).status, 'running');
      assert.deepEqual(sleeps, [100, 200]);
    });
  });

  it('names the URL and suggests starting Arbor when nothing listens', async () => {
    const port = await freePort();
    const client = new ArborTrainerClient({ baseUrl: `http://127.0.0.1:${port}`, sleep: noSleep, maxRetries: 2 });
    assert.equal(client.baseUrl, `http://127.0.0.1:${port}/v1`);
    await assert.rejects(client.status('j'), (err: TrainerError) => {
      assert.equal(err.kind, 'unreachable');
      assert.match(err.message, new RegExp(`Cannot reach the trainer at http://127\\.0\\.0\\.1:${port}/v1 .*Is Arbor`));
      return true;
    });
  });

  it('does not retry initialize after a 500 (it may have started a job)', async () => {
    let calls = 0;
    const fake: TrainerClientOptions['fetch'] = async (url) => {
      calls++;
      if (url.endsWith('/capabilities')) return new Response('{}', { status: 404 });
      return new Response(JSON.stringify({ error: { message: 'disk full', type: 'server_error' } }), { status: 500 });
    };
    const client = new ArborTrainerClient({ baseUrl: 'http://127.0.0.1:9/v1', fetch: fake, sleep: noSleep });
    await assert.rejects(client.initialize(initRequest('m')), /HTTP 500\): disk full/);
    assert.equal(calls, 2);
  });

  it('retries initialize on 503 (nothing started) but not on 500', async () => {
    const answers = [503, 200];
    const seen: string[] = [];
    const fake: TrainerClientOptions['fetch'] = async (url) => {
      seen.push(url.replace(/^.*\/v1\//, ''));
      if (url.endsWith('/capabilities')) return new Response('{}', { status: 404 });
      const status = answers.shift()!;
      return new Response(JSON.stringify(status === 200 ? { job_id: 'j', status: 'running' } : { detail: 'busy' }), { status });
    };
    const client = new ArborTrainerClient({ baseUrl: 'http://127.0.0.1:9/v1', fetch: fake, sleep: noSleep });
    const status = await client.initialize(initRequest('m'));
    assert.deepEqual(seen, ['capabilities', 'fine_tuning/grpo/initialize', 'fine_tuning/grpo/initialize']);
    assert.deepEqual([status.current_model, status.pending_batch_ids, status.last_checkpoint], ['j', [], null]);
  });

  it('rejects a malformed config locally before any call', async () => {
    const bad = initRequest('m');
    (bad.trainer_config as unknown as Record<string, unknown>).num_generatons = 2;
    await assert.rejects(checkTrainer({ baseUrl: 'http://127.0.0.1:9/v1' }, bad), /Unknown trainer_config key `num_generatons`/);
  });
});
