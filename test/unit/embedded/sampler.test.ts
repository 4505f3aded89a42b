import { strict as assert } from 'node:assert';
import type { GenerateRequest } from '../../../src/embedded/backend';
import { dedupePrompts, generateBatch, type ModelHandle } from '../../../src/embedded/sampler';
import { RequestQueue } from '../../../src/embedded/requestQueue';
import { disposeHandle, setupTf, tinyHandle, trainingLogprobs, userMessage } from './helpers';
import { schemaViolation } from './jsonConstraintOracle';

function request(over: Partial<GenerateRequest> = {}): GenerateRequest {
  return { messages: userMessage('hello'), temperature: 1, top_p: 1, max_tokens: 12, n: 1, logprobs: true, top_logprobs: 0, seed: 1, ...over };
}

describe('embedded sampler', () => {
  let h: ModelHandle;
  before(async () => {
    await setupTf();
    // Random init: its samples are noise bytes, which is all these plumbing tests need.
    h = tinyHandle();
  });
  after(() => disposeHandle(h));

  for (const useKvCache of [true, false]) {
    it(`sampled logprobs equal the training forward's within 1e-4 (kv cache: ${useKvCache})`, async () => {
      const reqs = [request({ n: 3, seed: 5 }), request({ messages: userMessage('a longer prompt here'), seed: 6, max_tokens: 9 })];
      const results = await generateBatch(h, reqs, [5, 6], { useKvCache });
      let compared = 0;
      results.forEach((res, r) => res.choices.forEach((ch) => {
        const train = trainingLogprobs(h, reqs[r].messages!, ch.text);
        assert.equal(ch.logprobs.length, ch.tokens.length);
        ch.logprobs.forEach((lp, i) => {
          assert.ok(Math.abs(lp - train[i]) < 1e-4, `token ${i}: sampled ${lp} vs trained ${train[i]}`);
          compared++;
        });
      }));
      assert.ok(compared >= 20, `only ${compared} tokens compared`);
    });
  }

  it('requests with the same prompt share one prefill and still sample as if alone', async () => {
    assert.deepEqual(dedupePrompts([[1, 2], [3], [1, 2], [3], [4]]), { unique: [[1, 2], [3], [4]], rowOf: [0, 1, 0, 1, 2] });
    const reqs = [request({ seed: 3 }), request({ seed: 4 }), request({ messages: userMessage('other'), seed: 5 })];
    const together = await generateBatch(h, reqs, [3, 4, 5], { useKvCache: true });
    for (let i = 0; i < reqs.length; i++) {
      const [alone] = await generateBatch(h, [reqs[i]], [3 + i], { useKvCache: true });
      assert.equal(together[i].choices[0].text, alone.choices[0].text);
      together[i].choices[0].logprobs.forEach((lp, k) => assert.ok(Math.abs(lp - alone.choices[0].logprobs[k]) < 1e-4));
    }
  });

  it('KV-cache and full-recompute decoding give the same samples', async () => {
    const req = request({ n: 4, seed: 9 });
    const a = await generateBatch(h, [req], [9], { useKvCache: true });
    const b = await generateBatch(h, [req], [9], { useKvCache: false });
    assert.deepEqual(a[0].choices.map((c) => c.text), b[0].choices.map((c) => c.text));
  });

  it('the same seed gives the same output, alone or batched with other requests', async () => {
    const req = request({ n: 2, seed: 42, max_tokens: 16 });
    const alone = await generateBatch(h, [req], [42], { useKvCache: true });
    const again = await generateBatch(h, [req], [42], { useKvCache: true });
    const batched = await generateBatch(h, [request({ messages: userMessage('other'), seed: 3 }), req], [3, 42], { useKvCache: true });
    const other = await generateBatch(h, [req], [43], { useKvCache: true });
    const texts = (r: typeof alone) => r[r.length - 1].choices.map((c) => c.text);
    assert.deepEqual(texts(again), texts(alone));
    assert.deepEqual(texts(batched), texts(alone));
    assert.notDeepEqual(texts(other), texts(alone));
    assert.notEqual(alone[0].choices[0].text, alone[0].choices[1].text, 'the n samples use distinct streams');
  });

  it('guided choice yields exactly one of the choices, from the first token', async () => {
    const choices = ['positive', 'negative', 'neutral', 'neg'];
    const res = await generateBatch(h, [request({ n: 24, guidedChoice: choices, max_tokens: 2 })], [1], { useKvCache: true });
    for (const ch of res[0].choices) {
      assert.ok(choices.includes(ch.text), `"${ch.text}" is not a choice`);
      assert.equal(ch.finishReason, 'stop');
    }
    assert.ok(new Set(res[0].choices.map((c) => c.text)).size >= 2, 'temperature 1 should explore several choices');
  });

  it('stop strings end the completion before the stop text', async () => {
    // Find what the model writes, then stop on a substring of it.
    const probe = await generateBatch(h, [request({ seed: 11, max_tokens: 20 })], [11], { useKvCache: true });
    const text = probe[0].choices[0].text;
    const stop = text.slice(4, 6);
    assert.ok(stop.length === 2, `probe too short: "${text}"`);
    const res = await generateBatch(h, [request({ seed: 11, max_tokens: 20, stop: [stop] })], [11], { useKvCache: true });
    const ch = res[0].choices[0];
    assert.equal(ch.text, text.slice(0, text.indexOf(stop)));
    assert.equal(ch.finishReason, 'stop');
    assert.equal(ch.logprobs.length, ch.tokens.length);
  });

  it('greedy decoding is deterministic without a seed, max_tokens gives finishReason length', async () => {
    const a = await generateBatch(h, [request({ temperature: 0, max_tokens: 5 })], [1], { useKvCache: true });
    const b = await generateBatch(h, [request({ temperature: 0, max_tokens: 5 })], [2], { useKvCache: true });
    assert.equal(a[0].choices[0].text, b[0].choices[0].text);
    if (a[0].choices[0].finishReason === 'length') assert.equal(a[0].choices[0].tokens.length, 5);
  });

  it('returns top logprobs sorted and consistent with the sampled token', async () => {
    const res = await generateBatch(h, [request({ top_logprobs: 3, max_tokens: 4 })], [1], { useKvCache: true });
    const ch = res[0].choices[0];
    assert.equal(ch.topLogprobs!.length, ch.tokens.length);
    ch.topLogprobs!.forEach((top, i) => {
      assert.equal(top.length, 3);
      assert.ok(top[0].logprob >= top[1].logprob && top[1].logprob >= top[2].logprob);
      assert.ok(ch.logprobs[i] <= top[0].logprob + 1e-9);
    });
  });

  it('the queue batches concurrent requests and rejects bad ones clearly', async () => {
    let batches = 0;
    const q = new RequestQueue(() => h, async (fn) => { batches++; return fn(); }, { useKvCache: true, maxBatchSequences: 64, seed: 0 });
    const reqs = Array.from({ length: 5 }, (_, i) => request({ seed: i, max_tokens: 4 }));
    const results = await Promise.all(reqs.map((r) => q.submit(r)));
    assert.equal(batches, 1, 'requests from one tick share a batch');
    const solo = await generateBatch(h, [reqs[3]], [3], { useKvCache: true });
    assert.equal(results[3].choices[0].text, solo[0].choices[0].text);
    assert.throws(() => q.submit(request({ top_p: 0 })), /top_p must be in \(0, 1\]/);
    assert.throws(() => q.submit(request({ guidedChoice: [] })), /non-empty array/);
  });

  describe('response_format', () => {
    const schema = {
      type: 'object',
      properties: { label: { type: 'string', enum: ['pos', 'neg', 'neutral'] }, n: { type: 'integer' }, ok: { type: 'boolean' } },
      required: ['label', 'n', 'ok'],
      additionalProperties: false,
    };
    const responseFormat = { type: 'json_schema' as const, name: 'verdict', schema };
    let roomy: ModelHandle;
    // The longest valid answer is 53 bytes: more than the 64-token test context leaves after a prompt.
    before(() => { roomy = tinyHandle({ contextLength: 128 }); });
    after(() => disposeHandle(roomy));

    it('json_schema: 20 seeded samples at temperature 1 all parse and validate', async () => {
      const [res] = await generateBatch(roomy, [request({ n: 20, seed: 7, max_tokens: 60, responseFormat })], [7], { useKvCache: true });
      for (const ch of res.choices) {
        assert.equal(ch.finishReason, 'stop', ch.text);
        assert.equal(schemaViolation(JSON.parse(ch.text), schema), null, ch.text);
        assert.equal(ch.logprobs.length, ch.tokens.length);
      }
      assert.ok(new Set(res.choices.map((c) => c.text)).size >= 10, 'temperature 1 still samples freely inside the constraint');
    });

    it('finishes with length, never stop, when max_tokens ends the value early', async () => {
      // 16 bytes end inside `{"label":"pos","n":`, the shortest way to the first number.
      const [res] = await generateBatch(roomy, [request({ n: 4, max_tokens: 16, responseFormat })], [1], { useKvCache: true });
      for (const ch of res.choices) {
        assert.equal(ch.finishReason, 'length');
        assert.equal(ch.tokens.length, 16);
        assert.ok(ch.text.startsWith('{"label":"'), ch.text);
        assert.throws(() => JSON.parse(ch.text));
      }
    });

    it('json_object: every completion that stops is a JSON object', async () => {
      const [res] = await generateBatch(roomy, [request({ n: 16, max_tokens: 40, responseFormat: { type: 'json_object' } })], [3], { useKvCache: true });
      let stopped = 0;
      for (const ch of res.choices) {
        assert.ok(ch.text.startsWith('{'), ch.text);
        if (ch.finishReason === 'length') continue;
        stopped++;
        const v: unknown = JSON.parse(ch.text);
        assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), ch.text);
      }
      assert.ok(stopped >= 2, `only ${stopped} of 16 completed`);
    });

    it('reported logprobs stay those of the raw logits, not of the masked distribution', async () => {
      const format = { type: 'json_schema' as const, name: 'b', schema: { type: 'object', properties: { b: { type: 'boolean' } }, required: ['b'], additionalProperties: false } };
      const req = request({ n: 2, seed: 4, max_tokens: 20, responseFormat: format });
      const [res] = await generateBatch(h, [req], [4], { useKvCache: true });
      for (const ch of res.choices) {
        assert.match(ch.text, /^\{"b":(true|false)\}$/);
        const train = trainingLogprobs(h, req.messages!, ch.text);
        ch.logprobs.forEach((lp, i) => assert.ok(Math.abs(lp - train[i]) < 1e-4, `token ${i}: ${lp} vs ${train[i]}`));
        assert.ok(ch.logprobs[0] < -0.5, 'the forced `{` keeps its raw (untrained) probability');
      }
    });

    it('invalid formats are refused when the request is submitted', () => {
      const q = new RequestQueue(() => h, (fn) => fn(), { useKvCache: true, maxBatchSequences: 8, seed: 0 });
      const bad = { type: 'json_schema' as const, name: 'x', schema: { type: 'object', properties: { d: { type: 'string', format: 'date' } } } };
      assert.throws(() => q.submit(request({ responseFormat: bad })), /Invalid generate request: response_format\.json_schema\.schema\.properties\.d: keyword `format` is not supported/);
      assert.throws(() => q.submit(request({ responseFormat, guidedChoice: ['a'] })), /at most one of guidedChoice and responseFormat/);
    });
  });
});
