import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeOpenAIServer, type FakeResponder } from '../../../fixtures/fakeOpenAIServer';
import { createLM, type LMConfigInput } from '../../../../src/engine/lm';
import { OpenAICompatibleLM } from '../../../../src/engine/lm/openaiClient';
import { backoffDelayMs, mulberry32, type Sleep } from '../../../../src/engine/lm/retry';
import { LMError, type LMErrorKind, type LMRequest } from '../../../../src/engine/lm/types';

const SECRET = 'sk-SECRET-123';
const ask = (content: string, extra: Partial<LMRequest> = {}): LMRequest => ({ messages: [{ role: 'user', content }], ...extra });

/** A responder that plays `script` in order, then echoes. */
function scripted(script: ReturnType<FakeResponder>[]): FakeResponder {
  let i = 0;
  return () => (i < script.length ? script[i++] : undefined);
}

async function expectLMError(p: Promise<unknown>, kind: LMErrorKind): Promise<LMError> {
  const err = await p.then(
    () => assert.fail(`expected LMError(${kind})`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof LMError, `not an LMError: ${String(err)}`);
  assert.equal(err.kind, kind, err.message);
  return err;
}

describe('OpenAICompatibleLM (real HTTP against the fake server)', function () {
  this.timeout(10_000);
  let server: FakeOpenAIServer;
  let baseUrl: string;
  let sleeps: number[];
  const recordSleep: Sleep = async (ms) => void sleeps.push(ms);

  const make = (over: Partial<LMConfigInput> = {}) =>
    createLM({ baseUrl, model: 'fake-model', maxRetries: 3, timeoutMs: 5000, ...over }, { sleep: recordSleep, rng: mulberry32(42) });

  beforeEach(async () => {
    server = new FakeOpenAIServer();
    baseUrl = await server.start();
    sleeps = [];
  });
  afterEach(() => server.close());

  it('maps choices, logprobs with alternatives, n and usage; sends every sampling field', async () => {
    const lm = make();
    const res = await lm.complete(
      ask('hello world', { temperature: 0.7, top_p: 0.9, max_tokens: 32, n: 2, stop: ['\n'], seed: 5, logprobs: true, top_logprobs: 2 }),
    );
    assert.equal(res.model, 'fake-model');
    assert.deepEqual(res.choices.map((c) => c.text), ['echo: hello world', '#1 echo: hello world']);
    assert.equal(res.choices[0].finishReason, 'stop');
    assert.deepEqual(res.choices[0].logprobs?.[0], {
      token: 'echo:',
      logprob: -0.1,
      top: [
        { token: 'echo:', logprob: -0.1 },
        { token: 'echo:~1', logprob: -1.1 },
      ],
    });
    assert.equal(res.choices[1].logprobs?.length, 4);
    assert.deepEqual(res.usage, { promptTokens: 2, completionTokens: 7, totalTokens: 9 });
    assert.equal(res.cached, false);
    assert.equal(res.retries, 0);
    assert.ok(res.latencyMs >= 0);
    const sent = server.requests[0];
    assert.equal(sent.url, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, 'Bearer sk-no-key');
    const { messages: _m, ...fields } = sent.body;
    assert.deepEqual(fields, { model: 'fake-model', temperature: 0.7, top_p: 0.9, max_tokens: 32, n: 2, stop: ['\n'], seed: 5, logprobs: true, top_logprobs: 2 });
  });

  it('merges extraBody into the JSON body, and per-call model overrides the default', async () => {
    await make().complete(ask('pick', { model: 'other', extraBody: { guided_choice: ['yes', 'no'], model: 'ignored' } }));
    assert.deepEqual(server.requests[0].body.guided_choice, ['yes', 'no']);
    assert.equal(server.requests[0].body.model, 'other');
  });

  it('honours Retry-After seconds and retry-after-ms on 429', async () => {
    server.responder = scripted([
      { status: 429, headers: { 'retry-after': '2' }, json: { error: { message: 'slow down' } } },
      { status: 429, headers: { 'retry-after-ms': '150' }, json: { error: { message: 'slow down' } } },
    ]);
    const lm = make();
    const res = await lm.complete(ask('x'));
    assert.deepEqual(sleeps, [2000, 150]);
    assert.equal(res.retries, 2);
    assert.equal(server.requestCount, 3);
    assert.equal(lm.usage.snapshot().retries, 2);
  });

  it('retries a 500 with seeded full-jitter backoff, then succeeds', async () => {
    server.responder = scripted([{ status: 500, json: { error: { message: 'oops' } } }]);
    const res = await make().complete(ask('x'));
    assert.equal(res.retries, 1);
    assert.deepEqual(sleeps, [backoffDelayMs(0, mulberry32(42))]);
  });

  it('retries a connection reset and a truncated body, then succeeds', async () => {
    server.responder = scripted([{ action: 'reset' }, { action: 'truncate' }]);
    const res = await make().complete(ask('x'));
    assert.equal(res.retries, 2);
    assert.equal(res.choices[0].text, 'echo: x');
  });

  it('times out a hung request, then succeeds on retry', async () => {
    server.responder = scripted([{ action: 'hang' }]);
    const res = await make({ timeoutMs: 200 }).complete(ask('x'));
    assert.equal(res.retries, 1);
    assert.equal(server.requestCount, 2);
  });

  it('gives up with the right kind and an actionable message when retries run out', async () => {
    server.responder = () => ({ status: 503, json: { error: { message: 'overloaded' } } });
    const e1 = await expectLMError(make({ maxRetries: 2 }).complete(ask('x')), 'server');
    assert.equal(e1.status, 503);
    assert.match(e1.message, /HTTP 503 after 3 attempts: overloaded\. Check the server's logs/);
    assert.equal(server.requestCount, 3);

    server.responder = () => ({ status: 429, json: { error: { message: 'limit' } } });
    const e2 = await expectLMError(make({ maxRetries: 1 }).complete(ask('x')), 'rate_limit');
    assert.match(e2.message, /Lower maxConcurrency/);

    server.responder = () => ({ action: 'hang' });
    const e3 = await expectLMError(make({ maxRetries: 1, timeoutMs: 100 }).complete(ask('x')), 'timeout');
    assert.match(e3.message, /did not answer within 100 ms after 2 attempts/);

    server.responder = () => ({ action: 'reset' });
    const lm = make({ maxRetries: 1 });
    const e4 = await expectLMError(lm.complete(ask('x')), 'unreachable');
    assert.match(e4.message, /connection to the LM server .* broke/);
    assert.equal(lm.usage.snapshot().retries, 1);
  });

  it('does not retry 401, and never leaks the API key into errors or cache files', async () => {
    const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lmkey-'));
    try {
      server.responder = (_b, req) => ({ status: 401, json: { error: { message: `Incorrect API key provided: ${req.headers.authorization}` } } });
      const lm = make({ apiKey: SECRET, cacheDir });
      const err = await expectLMError(lm.complete(ask('x', { cache: true })), 'auth');
      assert.equal(server.requestCount, 1);
      assert.deepEqual(sleeps, []);
      assert.equal(err.message, `The LM server at ${baseUrl} rejected the API key (HTTP 401). Check MMGRPO_API_KEY.`);
      assert.equal(server.requests[0].headers.authorization, `Bearer ${SECRET}`);

      server.responder = (_b, req) => ({ status: 400, json: { error: { message: `bad request from ${req.headers.authorization} key=${SECRET}` } } });
      const e400 = await expectLMError(lm.complete(ask('x')), 'bad_request');
      assert.match(e400.message, /key=\*\*\*/);

      server.responder = undefined;
      await lm.complete(ask('cache me', { cache: true }));
      const dump = [err, e400].map((e) => `${e.message}\n${e.stack}\n${JSON.stringify(e)}`).join('\n');
      assert.ok(!dump.includes(SECRET), dump);
      const files = await listFiles(cacheDir);
      assert.equal(files.length, 1);
      for (const f of files) assert.ok(!(await fs.readFile(f, 'utf8')).includes(SECRET));
    } finally {
      await fs.rm(cacheDir, { recursive: true, force: true });
    }
  });

  it('names the model and GET /models on 404, and does not retry 400/404/422', async () => {
    for (const status of [400, 404, 422]) {
      server.resetStats();
      server.responder = () => ({ status, json: { error: { message: 'nope' } } });
      const err = await expectLMError(make().complete(ask('x', { model: 'llama-x' })), 'bad_request');
      assert.equal(server.requestCount, 1);
      if (status === 404) assert.match(err.message, /has no model 'llama-x'.*GET http:\/\/127\.0\.0\.1:\d+\/v1\/models/);
    }
    assert.deepEqual(sleeps, []);
  });

  it('reports a body that is not a chat completion as bad_response', async () => {
    server.responder = () => ({ raw: 'not json at all' });
    await expectLMError(make().complete(ask('x')), 'bad_response');
    server.responder = () => ({ json: { hello: 1 } });
    const err = await expectLMError(make().complete(ask('x')), 'bad_response');
    assert.match(err.message, /no "choices" array/);
  });

  it('fails fast as unreachable on a closed port, but retries a refused connection mid-run', async () => {
    const port = await freePort();
    const dead = `http://127.0.0.1:${port}/v1`;
    const err = await expectLMError(make({ baseUrl: dead }).complete(ask('x')), 'unreachable');
    assert.equal(
      err.message,
      `Cannot reach the LM server at ${dead} (ECONNREFUSED). Is it running? Set the base URL with --base-url or MMGRPO_BASE_URL.`,
    );
    assert.deepEqual(sleeps, []);

    const lm = make({ maxRetries: 2 });
    await lm.complete(ask('x'));
    await server.close();
    const err2 = await expectLMError(lm.complete(ask('x')), 'unreachable');
    assert.equal(sleeps.length, 2);
    assert.match(err2.message, /ECONNREFUSED\) after 3 attempts/);
  });

  it('never has more than maxConcurrency requests in flight (server-observed)', async () => {
    const total = 20;
    const bound = 3;
    const held: (() => void)[] = [];
    let served = 0;
    let timer: NodeJS.Timeout | undefined;
    // Hold answers until a full batch waits, then release it a tick later: a broken bound would
    // let more requests pile up meanwhile, while a working one reaches exactly `bound`.
    const releaseAll = () => {
      timer = undefined;
      served += held.length;
      held.splice(0).forEach((f) => f());
    };
    server.responder = () =>
      new Promise((resolve) => {
        held.push(() => resolve(undefined));
        if (!timer && (held.length >= bound || served + held.length === total)) timer = setTimeout(releaseAll, 10);
      });
    const lm = make({ maxConcurrency: bound });
    const results = await Promise.all(Array.from({ length: total }, (_, i) => lm.complete(ask(`q${i}`))));
    assert.equal(results.length, total);
    assert.equal(server.requestCount, total);
    assert.equal(server.maxInFlight, bound);
  });

  it('aborts promptly during a backoff sleep and while a request is in flight', async () => {
    server.responder = () => ({ status: 429, headers: { 'retry-after': '30' }, json: { error: { message: 'later' } } });
    const ctrl = new AbortController();
    const lm = new OpenAICompatibleLM(
      { baseUrl, model: 'fake-model', maxConcurrency: 2, maxRetries: 3, timeoutMs: 5000 },
      {
        sleep: (ms) => {
          sleeps.push(ms);
          ctrl.abort();
          return new Promise<void>(() => undefined);
        },
      },
    );
    await expectLMError(lm.complete(ask('x'), ctrl.signal), 'aborted');
    assert.deepEqual(sleeps, [30_000]);
    assert.equal(server.requestCount, 1);

    const ctrl2 = new AbortController();
    server.responder = () => {
      ctrl2.abort();
      return { action: 'hang' };
    };
    await expectLMError(lm.complete(ask('x'), ctrl2.signal), 'aborted');
    await expectLMError(lm.complete(ask('x'), ctrl2.signal), 'aborted');
    assert.equal(server.requestCount, 2);
  });

  it('caches only when cacheDir is set and request.cache is true; survives corrupt entries', async () => {
    const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lmcache-'));
    try {
      const lm = make({ cacheDir });
      const q = ask('same', { temperature: 0, cache: true });
      const miss = await lm.complete(q);
      const hit = await lm.complete(q);
      assert.equal(server.requestCount, 1);
      assert.equal(miss.cached, false);
      assert.equal(hit.cached, true);
      assert.deepEqual(hit.choices, miss.choices);
      assert.deepEqual(lm.usage.snapshot(), { calls: 2, promptTokens: 1, completionTokens: 2, cachedCalls: 1, retries: 0 });

      await lm.complete({ ...q, cache: false });
      await lm.complete({ ...q, temperature: 1 });
      await lm.complete({ ...q, extraBody: { guided_choice: ['a'] } });
      assert.equal(server.requestCount, 4);
      // The key is not part of the cache key: another key still hits.
      await make({ cacheDir, apiKey: SECRET }).complete(q);
      assert.equal(server.requestCount, 4);
      await make().complete(q); // no cacheDir: never cached
      assert.equal(server.requestCount, 5);

      const files = await listFiles(cacheDir);
      for (const f of files) await fs.writeFile(f, '\u0000garbage');
      const again = await lm.complete(q);
      assert.equal(again.cached, false);
      assert.equal(server.requestCount, 6);
      assert.equal((await lm.complete(q)).cached, true);
      assert.equal(server.requestCount, 6);
    } finally {
      await fs.rm(cacheDir, { recursive: true, force: true });
    }
  });

  it('accounts cost from configured prices per 1M tokens', async () => {
    const lm = make({ promptPricePerMTok: 1.5, completionPricePerMTok: 6 });
    const a = await lm.complete(ask('one two three'));
    const b = await lm.complete(ask('four', { n: 3 }));
    const p = a.usage.promptTokens + b.usage.promptTokens;
    const c = a.usage.completionTokens + b.usage.completionTokens;
    const snap = lm.usage.snapshot();
    assert.deepEqual(snap, { calls: 2, promptTokens: p, completionTokens: c, cachedCalls: 0, retries: 0, cost: (p * 1.5 + c * 6) / 1e6 });
    assert.equal(p, 4);
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
