import { strict as assert } from 'node:assert';
import { createOpenAICompatible, type OpenAICompatibleProvider } from '@ai-sdk/openai-compatible';
import { generateObject, generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { ANSWER_SCHEMA, expectStructured, GREEDY, PROMPT, STRUCTURED_MAX_TOKENS, type SuiteContext } from './context';

const FINISH = ['stop', 'length'];

export function aiSdkTests(ctx: SuiteContext): void {
  let provider: OpenAICompatibleProvider;
  const settings = { temperature: GREEDY.temperature, maxOutputTokens: GREEDY.maxTokens, seed: GREEDY.seed, maxRetries: 0 };
  before(() => {
    provider = createOpenAICompatible({
      name: 'mmgrpo',
      baseURL: ctx.server.baseUrl,
      apiKey: ctx.server.token,
      supportsStructuredOutputs: true,
      // Asks for stream_options.include_usage, so streamText reports usage.
      includeUsage: true,
      fetch: ctx.log.fetch,
    });
  });

  it('generateText with only a model, a prompt and maxOutputTokens', async () => {
    ctx.log.label = 'ai generateText (minimal)';
    const r = await generateText({ model: provider(ctx.model), prompt: PROMPT, maxOutputTokens: 8, maxRetries: 0 });
    assert.equal(typeof r.text, 'string');
    assert.ok(FINISH.includes(r.finishReason), r.finishReason);
  });

  it('generateText: text, finish reason and usage, the same text the openai SDK gets', async () => {
    ctx.log.label = 'ai generateText';
    const r = await generateText({ model: provider(ctx.model), prompt: PROMPT, ...settings });
    assert.ok(FINISH.includes(r.finishReason), r.finishReason);
    assert.ok((r.usage.inputTokens ?? 0) > 0, 'input tokens reported');
    assert.equal(typeof r.usage.outputTokens, 'number');
    ctx.log.label = 'openai create (to compare)';
    const openai = new OpenAI({ baseURL: ctx.server.baseUrl, apiKey: ctx.server.token, maxRetries: 0, fetch: ctx.log.fetch });
    const same = await openai.chat.completions.create({
      model: ctx.model, messages: [{ role: 'user', content: PROMPT }], temperature: GREEDY.temperature, max_tokens: GREEDY.maxTokens, seed: GREEDY.seed,
    });
    assert.equal(r.text, same.choices[0].message.content);
  });

  it("streamText: the streamed text equals generateText's, with usage and a finish reason", async () => {
    ctx.log.label = 'ai generateText (to compare)';
    const expected = await generateText({ model: provider(ctx.model), prompt: PROMPT, ...settings });
    ctx.log.label = 'ai streamText';
    const errors: unknown[] = [];
    const s = streamText({ model: provider(ctx.model), prompt: PROMPT, ...settings, onError: ({ error }) => void errors.push(error) });
    const parts: string[] = [];
    for await (const piece of s.textStream) parts.push(piece);
    assert.deepEqual(errors, []);
    assert.equal(parts.join(''), expected.text);
    assert.equal(await s.finishReason, expected.finishReason);
    const usage = await s.usage;
    assert.equal(usage.inputTokens, expected.usage.inputTokens);
    assert.equal(usage.outputTokens, expected.usage.outputTokens);
  });

  it('generateObject with a zod schema: an object valid under the schema', async () => {
    ctx.log.label = 'ai generateObject';
    await expectStructured(ctx, async () => {
      const r = await generateObject({
        model: provider(ctx.model), schema: ANSWER_SCHEMA, prompt: PROMPT, temperature: 0, maxOutputTokens: STRUCTURED_MAX_TOKENS, maxRetries: 0,
      });
      return r.object;
    });
  });
}
