import { strict as assert } from 'node:assert';
import { initializeBody, member, request, startFakeServer, stepBody, type RawResponse, type TestServer } from './httpHelpers';

function assertError(res: RawResponse, status: number, param?: string, message?: RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.equal(typeof res.json?.error?.message, 'string', `JSON error body expected, got ${res.text}`);
  assert.equal(typeof res.json.error.type, 'string');
  if (param !== undefined) assert.equal(res.json.error.param, param, res.json.error.message);
  if (message) assert.match(res.json.error.message, message);
}

const chatBody = (extra: Record<string, unknown> = {}) => ({ model: 'tiny-fake', messages: [{ role: 'user', content: 'x' }], ...extra });

describe('embedded server: auth, hosts, routes, limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startFakeServer(undefined, 64 * 1024);
  });
  after(async () => {
    await server.close();
  });

  it('answers 401 without a token or with a wrong one', async () => {
    assertError(await request(server, 'models', { token: null }), 401);
    assertError(await request(server, 'models', { token: 'test-tokeX' }), 401);
    assertError(await request(server, 'models', { token: 'test-token-longer' }), 401);
    assertError(await request(server, 'models', { headers: { Authorization: 'Basic dGVzdA==' }, token: null }), 401);
    assert.equal((await request(server, 'models')).status, 200);
  });

  it('answers 403 to a Host that is not loopback (DNS rebinding)', async () => {
    for (const host of ['evil.example:80', 'evil.example', '127.0.0.1.evil.example', '10.0.0.1']) {
      assertError(await request(server, 'models', { host }), 403);
    }
    for (const host of ['localhost', 'LOCALHOST:1234', '[::1]:9', '127.0.0.1']) {
      assert.equal((await request(server, 'models', { host })).status, 200, host);
    }
  });

  it('answers 404 to unknown routes and 405 to wrong methods', async () => {
    assertError(await request(server, 'nope'), 404);
    assertError(await request(server, '../etc/passwd'), 404);
    assertError(await request(server, '__proto__'), 404);
    assertError(await request(server, 'constructor', { body: {} }), 404);
    assertError(await request(server, 'fine_tuning/grpo/whatever', { body: {} }), 404);
    const res = await request(server, 'chat/completions', { method: 'GET' });
    assertError(res, 405);
    assert.equal(res.headers.allow, 'POST');
    assertError(await request(server, 'models', { method: 'POST', body: {} }), 405);
  });

  it('answers 400 to malformed, empty and non-object JSON', async () => {
    assertError(await request(server, 'chat/completions', { raw: '{"model": ' }), 400, undefined, /not valid JSON/);
    assertError(await request(server, 'chat/completions', { method: 'POST', raw: '' }), 400, undefined, /empty/);
    assertError(await request(server, 'chat/completions', { body: [1, 2] }), 400, undefined, /JSON object/);
  });

  it('answers unparseable HTTP with a JSON 400', async () => {
    const net = await import('node:net');
    const port = Number(new URL(server.baseUrl).port);
    const text = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1', () => sock.write('GARBAGE / HTTP/9.9\r\n\r\n'));
      let out = '';
      sock.on('data', (c) => (out += c.toString()));
      sock.on('end', () => resolve(out));
      sock.on('error', reject);
    });
    assert.match(text, /^HTTP\/1\.1 400/);
    assert.match(JSON.parse(text.split('\r\n\r\n')[1]).error.message, /Malformed HTTP request/);
  });

  it('answers 413 to oversized bodies, declared or streamed', async () => {
    const big = JSON.stringify(chatBody({ user: 'x'.repeat(100 * 1024) }));
    assertError(await request(server, 'chat/completions', { raw: big }), 413);
    assertError(await request(server, 'chat/completions', { raw: big, headers: { 'Transfer-Encoding': 'chunked' } }), 413);
    assert.equal((await request(server, 'models')).status, 200);
  });

  it('names the field in chat validation errors', async () => {
    assertError(await request(server, 'chat/completions', { body: chatBody({ temperature: 'hot' }) }), 400, 'temperature');
    assertError(await request(server, 'chat/completions', { body: chatBody({ temprature: 1 }) }), 400, 'temprature', /Unknown field/);
    assertError(await request(server, 'chat/completions', { body: chatBody({ n: 0 }) }), 400, 'n');
    assertError(await request(server, 'chat/completions', { body: chatBody({ top_logprobs: 3 }) }), 400, 'top_logprobs');
    assertError(await request(server, 'chat/completions', { body: chatBody({ stream: 'yes' }) }), 400, 'stream');
    assertError(await request(server, 'chat/completions', { body: chatBody({ stop: [1] }) }), 400, 'stop[0]');
    assertError(await request(server, 'chat/completions', { body: chatBody({ guided_choice: [] }) }), 400, 'guided_choice');
    assertError(await request(server, 'chat/completions', { body: { model: 'tiny-fake', messages: [{ role: 'tool', content: 'x' }] } }), 400, 'messages[0].role');
    assertError(await request(server, 'chat/completions', { body: { model: 'tiny-fake' } }), 400, 'messages');
    assertError(await request(server, 'chat/completions', { body: chatBody({ model: 'gpt-4o' }) }), 404, 'model');
  });

  it('names the field in GRPO validation errors', async () => {
    const init = (body: Record<string, unknown>) => request(server, 'fine_tuning/grpo/initialize', { body });
    assertError(await init(initializeBody({ extra: 1 })), 400, 'extra', /Unknown field `extra`/);
    assertError(await init(initializeBody({ trainer_config: { num_generations: 2, lerning_rate: 1 } })), 400, 'trainer_config.lerning_rate');
    assertError(await init(initializeBody({ trainer_config: { num_generations: 1 } })), 400, 'trainer_config.num_generations');
    assertError(await init(initializeBody({ trainer_config: { num_generations: 2, loss_type: 'ppo' } })), 400, 'trainer_config.loss_type');
    assertError(await init(initializeBody({ trainer_config: { num_generations: 2, lr_scheduler_type: 'polynomial' } })), 400, 'trainer_config.lr_scheduler_type');
    assertError(await init(initializeBody({ inference_config: { model: 'tiny-fake' } })), 400, 'inference_config.max_seq_len');
    assertError(await init(initializeBody({ model: 'other-model', inference_config: { model: 'other-model', max_seq_len: 8 } })), 400, 'model');

    const jobId: string = (await init(initializeBody())).json.job_id;
    const step = (body: Record<string, unknown>) => request(server, 'fine_tuning/grpo/step', { body });
    const wrongSize = await step(stepBody(jobId, 0, { batch: [[member('a', 1), member('b', 0)], [member('c', 1)]] }));
    assertError(wrongSize, 400, 'batch[1]', /1 member\(s\) but this job's num_generations is 2/);
    assertError(await step(stepBody(jobId, 0, { batch: [[member('a', 1, { reward: '1' }), member('b', 0)]] })), 400, 'batch[0][0].reward');
    assertError(await step(stepBody(jobId, 0, { batch: [[member('a', 1, { score: 1 }), member('b', 0)]] })), 400, 'batch[0][0].score');
    assertError(
      await step(stepBody(jobId, 0, { batch: [[member('a', 1, { completion: { role: 'user', content: 'a' } }), member('b', 0)]] })),
      400,
      'batch[0][0].completion.role',
    );
    assertError(await step(stepBody(jobId, 0, { batch: [[member('a', 1, { logprobs: [0.5] }), member('b', 0)]] })), 400, 'batch[0][0].logprobs[0]');
    assertError(await step(stepBody(jobId, -1)), 400, 'batch_id');
    assertError(await step(stepBody(jobId, 0, { batch: [] })), 400, 'batch');
    assertError(await step(stepBody(jobId, 0, { metrics: { loss: 'low' } })), 400, 'metrics.loss');
    assertError(await step(stepBody('grpo:nope', 0)), 404, 'job_id');
    const ck = (name: string) => request(server, 'fine_tuning/grpo/checkpoint', { body: { job_id: jobId, checkpoint_name: name } });
    assertError(await ck('../escape'), 400, 'checkpoint_name');
    assertError(await request(server, 'fine_tuning/grpo/status', { body: { job_id: jobId, verbose: true } }), 400, 'verbose');
    assert.equal(server.backend!.record.steps.length, 0, 'no invalid batch reached the backend');
    await request(server, 'fine_tuning/grpo/cancel', { body: { job_id: jobId } });
  });
});
