import { strict as assert } from 'node:assert';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { ANSWER_SCHEMA, expectStructured, GREEDY, PROMPT, STRUCTURED_MAX_TOKENS, type SuiteContext } from './context';

const FINISH = ['stop', 'length'];

/** Request fields without `stream`, so the same params serve create, create({stream}) and stream(). */
type ChatParams = Omit<ChatCompletionCreateParamsNonStreaming, 'stream'>;

function assertUsage(usage: OpenAI.CompletionUsage | null | undefined): void {
  assert.ok(usage, 'usage present');
  assert.ok(usage.prompt_tokens > 0);
  assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
}

/** Text per choice index, from streamed chunks. */
function assemble(chunks: ChatCompletionChunk[]): string[] {
  const out: string[] = [];
  for (const c of chunks) for (const ch of c.choices) out[ch.index] = (out[ch.index] ?? '') + (ch.delta.content ?? '');
  return out;
}

export function openaiTests(ctx: SuiteContext): void {
  let client: OpenAI;
  const chat = (over: Partial<ChatParams> = {}): ChatParams => ({
    model: ctx.model,
    messages: [{ role: 'user', content: PROMPT }],
    temperature: GREEDY.temperature,
    max_tokens: GREEDY.maxTokens,
    seed: GREEDY.seed,
    ...over,
  });
  const plain = async (over: Partial<ChatParams> = {}): Promise<ChatCompletion> => {
    ctx.log.label = 'openai create (to compare)';
    return client.chat.completions.create(chat(over));
  };
  before(() => {
    client = new OpenAI({ baseURL: ctx.server.baseUrl, apiKey: ctx.server.token, maxRetries: 0, fetch: ctx.log.fetch });
  });

  it('chat.completions.create with only model, messages and max_tokens', async () => {
    ctx.log.label = 'openai create (minimal)';
    const c = await client.chat.completions.create({ model: ctx.model, messages: [{ role: 'user', content: PROMPT }], max_tokens: 8 });
    assert.equal(c.object, 'chat.completion');
    assert.equal(c.choices.length, 1);
    assert.equal(c.choices[0].message.role, 'assistant');
    assert.equal(typeof c.choices[0].message.content, 'string');
    assert.ok(FINISH.includes(c.choices[0].finish_reason));
    assertUsage(c.usage);
  });

  it('create({stream: true}) assembles to the non-streamed text, then usage and [DONE]', async () => {
    const expected = await plain();
    ctx.log.label = 'openai create (stream)';
    const stream = await client.chat.completions.create({ ...chat(), stream: true, stream_options: { include_usage: true } });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(assemble(chunks)[0], expected.choices[0].message.content);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const finishes = chunks.flatMap((c) => c.choices.filter((ch) => ch.finish_reason !== null));
    assert.deepEqual(finishes.map((ch) => ch.finish_reason), [expected.choices[0].finish_reason]);
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, expected.usage);
  });

  it('the stream() helper: finalChatCompletion equals the non-streamed answer, logprobs included', async () => {
    const withLogprobs = ctx.inference.logprobs ? { logprobs: true, top_logprobs: 2 } : {};
    const expected = await plain(withLogprobs);
    ctx.log.label = 'openai stream() helper';
    const deltas: string[] = [];
    const runner = client.chat.completions.stream({ ...chat(withLogprobs) }).on('content', (delta) => deltas.push(delta));
    const final = await runner.finalChatCompletion();
    assert.equal(final.choices[0].message.content, expected.choices[0].message.content);
    assert.equal(deltas.join(''), expected.choices[0].message.content);
    assert.equal(final.choices[0].finish_reason, expected.choices[0].finish_reason);
    if (!ctx.inference.logprobs) return;
    const got = final.choices[0].logprobs?.content ?? [];
    const want = expected.choices[0].logprobs?.content ?? [];
    assert.deepEqual(got.map((t) => t.token), want.map((t) => t.token));
    // Equal up to float noise: a backend may decode the two requests in differently shaped batches.
    got.forEach((t, i) => assert.ok(Math.abs(t.logprob - want[i].logprob) < 1e-4, `logprob ${i}: ${t.logprob} vs ${want[i].logprob}`));
    assert.ok(got.every((t) => t.top_logprobs.length <= 2));
  });

  it('n: 2 with a seed streams two choices by index, each the non-streamed one', async () => {
    const sampled = { temperature: 0.9, n: 2, seed: 3 };
    const expected = await plain(sampled);
    ctx.log.label = 'openai create (stream, n=2)';
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of await client.chat.completions.create({ ...chat(sampled), stream: true })) chunks.push(chunk);
    assert.deepEqual(assemble(chunks), expected.choices.map((c) => c.message.content));
    for (const index of [0, 1]) {
      const mine = chunks.flatMap((c) => c.choices.filter((ch) => ch.index === index));
      assert.equal(mine.filter((ch) => ch.finish_reason !== null).length, 1, `choice ${index} finishes once`);
    }
  });

  it('completions.create: a text_completion, legacy logprobs, and the same text streamed', async () => {
    ctx.log.label = 'openai completions.create';
    const params = { model: ctx.model, prompt: 'Once upon a time', temperature: 0, max_tokens: 10, ...(ctx.inference.logprobs ? { logprobs: 2 } : {}) };
    const c = await client.completions.create(params);
    assert.equal(c.object, 'text_completion');
    assert.ok(FINISH.includes(c.choices[0].finish_reason));
    assertUsage(c.usage);
    if (ctx.inference.logprobs) {
      const lp = c.choices[0].logprobs!;
      assert.equal(lp.tokens!.length, lp.token_logprobs!.length);
      assert.equal(lp.text_offset!.length, lp.tokens!.length);
      assert.equal(lp.text_offset![0], params.prompt.length);
    }
    ctx.log.label = 'openai completions.create (stream)';
    let text = '';
    for await (const chunk of await client.completions.create({ ...params, stream: true })) text += chunk.choices[0]?.text ?? '';
    assert.equal(text, c.choices[0].text);
  });

  it('a refused field surfaces as BadRequestError naming it', async () => {
    ctx.log.label = 'openai create (tools)';
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
    await assert.rejects(client.chat.completions.create(chat({ tools })), (err) => {
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.equal(err.param, 'tools');
      return true;
    });
    // Penalties are served where the backend has them (the local model), refused by name elsewhere (the tiny one).
    const penalized = client.chat.completions.create(chat({ presence_penalty: 1 }));
    if (ctx.inference.penalties) assert.equal(typeof (await penalized).choices[0].message.content, 'string');
    else await assert.rejects(penalized, (err) => err instanceof OpenAI.BadRequestError && err.param === 'presence_penalty');
  });

  it('chat.completions.parse with zodResponseFormat: a parsed object valid under the schema', async () => {
    ctx.log.label = 'openai parse (zodResponseFormat)';
    await expectStructured(ctx, async () => {
      const r = await client.chat.completions.parse({ ...chat({ max_tokens: STRUCTURED_MAX_TOKENS }), response_format: zodResponseFormat(ANSWER_SCHEMA, 'answer') });
      return r.choices[0].message.parsed;
    });
  });
}
