import { strict as assert } from 'node:assert';
import { FakeBackend } from '../../../fixtures/fakeBackend';
import { request, startFakeServer, type TestServer } from './httpHelpers';

const completion = (extra: Record<string, unknown> = {}) => ({ model: 'tiny-fake', prompt: 'Once upon', ...extra });

describe('embedded server: /v1/completions (legacy)', () => {
  let server: TestServer;
  const post = (body: unknown) => request(server, 'completions', { body });
  const sent = () => server.backend!.record.generates.at(-1)!;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends the raw prompt, without messages, and answers a text_completion', async () => {
    const res = await post(completion({ temperature: 0, seed: 3, stop: '\n', n: 2, best_of: 2 }));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.object, 'text_completion');
    assert.match(res.json.id, /^cmpl-/);
    assert.deepEqual(res.json.choices.map((c: { index: number; text: string; finish_reason: string; logprobs: null }) => [c.index, c.text, c.finish_reason, c.logprobs]), [
      [0, 'fake answer v0', 'stop', null],
      [1, 'fake answer v0', 'stop', null],
    ]);
    assert.equal(res.json.usage.total_tokens, res.json.usage.prompt_tokens + res.json.usage.completion_tokens);
    const r = sent();
    assert.equal(r.prompt, 'Once upon');
    assert.equal(r.messages, undefined);
    assert.deepEqual([r.temperature, r.seed, r.stop, r.n, r.logprobs, r.top_logprobs], [0, 3, ['\n'], 2, false, 0]);
  });

  it("defaults max_tokens to OpenAI's 16 and takes a list of one prompt", async () => {
    await post(completion({ prompt: ['one prompt'] }));
    assert.equal(sent().prompt, 'one prompt');
    assert.equal(sent().max_tokens, 16);
  });

  it("answers logprobs: <int> in OpenAI's legacy shape", async () => {
    const res = await post(completion({ logprobs: 1 }));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([sent().logprobs, sent().top_logprobs], [true, 1]);
    const lp = res.json.choices[0].logprobs;
    assert.deepEqual(lp.tokens, ['fake ', 'answer ', 'v0']);
    assert.deepEqual(lp.token_logprobs, [-0.25, -0.5, -0.75]);
    assert.deepEqual(lp.text_offset, [9, 14, 21], 'offsets count from the start of the prompt');
    assert.deepEqual(lp.top_logprobs[1], { 'answer ': -0.5 });
    const zero = await post(completion({ logprobs: 0 }));
    assert.deepEqual(zero.json.choices[0].logprobs.top_logprobs[0], { 'fake ': -0.25 }, 'the sampled token is always there');
  });

  it('refuses what it cannot do, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ echo: true }, 'echo'],
      [{ suffix: ' the end' }, 'suffix'],
      [{ best_of: 3 }, 'best_of'],
      [{ prompt: ['a', 'b'] }, 'prompt'],
      [{ prompt: [1, 2, 3] }, 'prompt'],
      [{ prompt: '' }, 'prompt'],
      [{ prompt: undefined }, 'prompt'],
      [{ logprobs: true }, 'logprobs'],
      [{ logprobs: 21 }, 'logprobs'],
      [{ presence_penalty: 1 }, 'presence_penalty'],
      [{ response_format: { type: 'json_object' } }, 'response_format'],
      [{ messages: [] }, 'messages'],
    ];
    for (const [extra, param] of cases) {
      const res = await post(completion(extra));
      assert.equal(res.status, 400, `${JSON.stringify(extra)}: ${res.text}`);
      assert.equal(res.json.error.param, param, res.json.error.message);
    }
    assert.equal((await post(completion({ echo: false, suffix: null, best_of: 1 }))).status, 200, 'harmless values pass');
    assert.equal(server.backend!.record.generates.length, 1);
  });

  it('refuses logprobs when the backend has none', async () => {
    await server.close();
    server = await startFakeServer(new FakeBackend({ features: { training: true, logprobs: false, responseFormat: false } }));
    const res = await post(completion({ logprobs: 0 }));
    assert.equal(res.status, 400);
    assert.equal(res.json.error.param, 'logprobs');
  });
});
