import { strict as assert } from 'node:assert';
import { BackendRequestError, type GenerateRequest } from '../../../src/embedded/backend';
import { createLocalBackend, type LocalBackend } from '../../../src/embedded/local/localBackend';
import { ChoiceEscaped, TokenChoiceTrie } from '../../../src/embedded/local/choiceTokens';
import { generateChoice } from '../../../src/embedded/local/generateChoice';
import type { LoadedModel } from '../../../src/embedded/local/llamaRuntime';
import type { SequencePool } from '../../../src/embedded/local/sequencePool';
import { localModelPath } from '../../fixtures/localModel';

// The real SmolLM2-135M-Instruct (Q4_1, ~100 MB) on the CPU: what these check
// is the decoding machinery around llama.cpp, with short completions so the
// suite stays within seconds.
const base: GenerateRequest = { temperature: 0, top_p: 1, max_tokens: 24, n: 1, logprobs: false, top_logprobs: 0 };
const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ ...base, messages: [{ role: 'user', content }], ...extra });

describe('local backend (real GGUF model through node-llama-cpp)', function () {
  this.timeout(120_000);
  let backend: LocalBackend;
  before(async () => {
    backend = await createLocalBackend({ modelPath: localModelPath(), modelName: 'smollm2', sequences: 4, contextSize: 1024 });
  });
  after(() => backend?.dispose());

  it('answers a chat through the model\'s own template, greedily and reproducibly', async () => {
    const a = await backend.generate(ask('What is the capital of France? Answer in one word.'));
    const b = await backend.generate(ask('What is the capital of France? Answer in one word.'));
    assert.match(a.choices[0].text, /Paris/);
    assert.equal(a.choices[0].text, b.choices[0].text);
    assert.equal(a.choices[0].finishReason, 'stop');
    assert.ok(a.promptTokens > 10 && a.completionTokens === a.choices[0].tokens.length);
  });

  it('honours the seed at temperature 1: same seed, same samples; another seed, other samples', async () => {
    const req = ask('Write a random word.', { temperature: 1, seed: 11, n: 3, max_tokens: 8 });
    const a = await backend.generate(req);
    const b = await backend.generate(req);
    assert.deepEqual(a.choices.map((c) => c.text), b.choices.map((c) => c.text));
    const c = await backend.generate({ ...req, seed: 12 });
    assert.notDeepEqual(a.choices.map((x) => x.text), c.choices.map((x) => x.text));
  });

  it('guided_choice: every sample is one of the choices, even at temperature 1.5', async () => {
    const choices = ['card_arrival', 'top_up_failed', 'exchange_rate'];
    const r = await backend.generate(ask('My card has still not arrived.', { temperature: 1.5, seed: 3, n: 6, guidedChoice: choices }));
    for (const c of r.choices) {
      assert.ok(choices.includes(c.text), c.text);
      assert.equal(c.finishReason, 'stop');
    }
    // max_tokens smaller than a choice: the choice is still spelled out whole.
    const short = await backend.generate(ask('My card has still not arrived.', { max_tokens: 1, guidedChoice: choices }));
    assert.ok(choices.includes(short.choices[0].text), short.choices[0].text);
  });

  it('guided_choice by logit bias: choices that prefix others stay reachable, every sample is whole', async () => {
    const choices = ['card', 'card_arrival', 'cards', 'card_linking', 'top_up'];
    for (const seed of [1, 2, 3]) {
      const r = await backend.generate(ask('Which banking intent? "My new card never came."', { temperature: 1.5, seed, n: 4, guidedChoice: choices }));
      for (const c of r.choices) assert.ok(choices.includes(c.text), c.text);
    }
  });

  it('guided_choice by logit bias keeps the model\'s own preference between the choices', async () => {
    // Two one-token answers: greedy under the bias must pick the one the free model ranks higher.
    for (const q of ['Is Paris in France? Answer Yes or No.', 'Is the sun cold? Answer Yes or No.', 'Is water wet? Answer Yes or No.']) {
      const free = await backend.generate(ask(q, { max_tokens: 1, logprobs: true, top_logprobs: 20 }));
      const rank = new Map(free.choices[0].topLogprobs![0].map((t) => [t.token, t.logprob]));
      const [yes, no] = [rank.get('Yes'), rank.get('No')];
      assert.ok(yes !== undefined && no !== undefined, `both answers among the top 20 for ${q}`);
      for (const choices of [['Yes', 'No'], ['No', 'Yes']]) {
        const picked = await backend.generate(ask(q, { guidedChoice: choices }));
        assert.equal(picked.choices[0].text, yes > no ? 'Yes' : 'No', q);
      }
    }
  });

  it('a sample that escapes the bias is reported, for the backend to retry with the grammar', async () => {
    const choices = ['card_arrival', 'top_up_failed'];
    const request = ask('Say hello.', { temperature: 1, seed: 5, guidedChoice: choices });
    const { m, pool } = backend as unknown as { m: LoadedModel; pool: SequencePool };
    // A negative lift pushes the choices' tokens down: the model's own pick leaves them.
    const trie = new TokenChoiceTrie(choices, (t) => m.model.tokenize(t), -60);
    const prompt = m.model.tokenize('<|im_start|>user\nSay hello.<|im_end|>\n<|im_start|>assistant\n', true);
    const seq = await pool.acquire(prompt);
    try {
      await assert.rejects(generateChoice(m, seq, { request, prompt, seed: 5, choices: trie }), ChoiceEscaped);
    } finally {
      pool.release(seq);
    }
  });

  it('response_format json_schema: samples at temperature 1 parse and fit the schema', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, population: { type: 'integer' }, capital: { type: 'boolean' }, kind: { enum: ['town', 'city'] } },
      required: ['city', 'population', 'capital', 'kind'],
      additionalProperties: false,
    };
    const r = await backend.generate(ask('Describe Paris as JSON.', { temperature: 1, seed: 5, n: 2, max_tokens: 80, responseFormat: { type: 'json_schema', name: 'city', schema } }));
    for (const c of r.choices) {
      if (c.finishReason === 'length') continue; // cut off by max_tokens: reported as such, never as a finished answer
      const v = JSON.parse(c.text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(v).sort(), ['capital', 'city', 'kind', 'population']);
      assert.equal(typeof v.city, 'string');
      assert.ok(Number.isInteger(v.population));
      assert.equal(typeof v.capital, 'boolean');
      assert.ok(['town', 'city'].includes(v.kind as string));
    }
    assert.ok(r.choices.some((c) => c.finishReason === 'stop'), 'at least one complete JSON answer');
  });

  it('stop strings cut the text before them; max_tokens ends with finish_reason length', async () => {
    const stopped = await backend.generate({ ...base, prompt: 'One, two, three, four, five,', stop: [' six'], max_tokens: 12 });
    assert.ok(!stopped.choices[0].text.includes(' six'));
    assert.equal(stopped.choices[0].finishReason, 'stop');
    const cut = await backend.generate(ask('Count from one to one hundred.', { max_tokens: 5 }));
    assert.equal(cut.choices[0].finishReason, 'length');
    assert.equal(cut.choices[0].tokens.length, 5);
  });

  it('streams deltas that add up to the final text of each choice', async () => {
    const deltas = new Map<number, string>();
    const r = await backend.generate(ask('Name two colours.', { temperature: 1, seed: 2, n: 2 }), (i, d) => deltas.set(i, (deltas.get(i) ?? '') + d));
    r.choices.forEach((c, i) => assert.equal(deltas.get(i), c.text));
  });

  it('applies a mild repetition penalty by default; repetition_penalty 1 turns it off', async () => {
    const loop = { ...base, prompt: 'ha ha ha ha ha ha ha ha ha ha ha ha', max_tokens: 16 };
    const plain = await backend.generate({ ...loop, penalties: { repetition: 1 } });
    const penalized = await backend.generate(loop);
    assert.match(plain.choices[0].text, /^( ha){8}/, 'greedy decoding without a penalty keeps repeating');
    assert.doesNotMatch(penalized.choices[0].text, /( ha){4}/, 'the default penalty breaks the loop');
  });

  it('reports logprobs of the sampled tokens and top alternatives', async () => {
    const r = await backend.generate(ask('Say hello.', { logprobs: true, top_logprobs: 3, max_tokens: 4 }));
    const c = r.choices[0];
    assert.equal(c.logprobs.length, c.tokens.length);
    assert.ok(c.logprobs.every((lp) => lp <= 0 && Number.isFinite(lp)));
    assert.equal(c.topLogprobs?.[0].length, 3);
  });

  it('more requests than sequences all complete (the rest wait for a free sequence)', async () => {
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => backend.generate(ask(`Say the number ${i}.`, { max_tokens: 6 }))));
    assert.equal(rs.length, 10);
    assert.ok(rs.every((r) => r.choices[0].tokens.length > 0));
  });

  it('refuses a prompt longer than the context and any training call, naming what to do', async () => {
    await assert.rejects(backend.generate(ask('word '.repeat(3000))), (e: unknown) => e instanceof BackendRequestError && /holds 1024 per request/.test(e.message) && e.param === 'messages');
    await assert.rejects(backend.grpoStep(), (e: unknown) => e instanceof BackendRequestError && /--backend embedded/.test(e.message));
  });
});
