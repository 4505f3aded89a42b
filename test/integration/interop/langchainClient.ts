import { strict as assert } from 'node:assert';
import type { AIMessageChunk } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { ANSWER_SCHEMA, expectStructured, GREEDY, PROMPT, STRUCTURED_MAX_TOKENS, type SuiteContext } from './context';

const FINISH = ['stop', 'length'];

export function langchainTests(ctx: SuiteContext): void {
  const model = (maxTokens: number = GREEDY.maxTokens): ChatOpenAI =>
    new ChatOpenAI({
      model: ctx.model,
      apiKey: ctx.server.token,
      temperature: GREEDY.temperature,
      maxTokens,
      maxRetries: 0,
      configuration: { baseURL: ctx.server.baseUrl, fetch: ctx.log.fetch },
    });

  it('invoke with only model, key and maxTokens', async () => {
    ctx.log.label = 'langchain invoke (minimal)';
    const bare = new ChatOpenAI({ model: ctx.model, apiKey: ctx.server.token, maxTokens: 8, maxRetries: 0, configuration: { baseURL: ctx.server.baseUrl, fetch: ctx.log.fetch } });
    const msg = await bare.invoke(PROMPT);
    assert.equal(typeof msg.content, 'string');
  });

  it('invoke: content, usage_metadata and a finish reason', async () => {
    ctx.log.label = 'langchain invoke';
    const msg = await model().invoke(PROMPT);
    assert.equal(typeof msg.content, 'string');
    assert.ok(FINISH.includes(String(msg.response_metadata.finish_reason)));
    assert.ok((msg.usage_metadata?.input_tokens ?? 0) > 0, 'usage_metadata present');
    assert.equal(msg.usage_metadata!.total_tokens, msg.usage_metadata!.input_tokens + msg.usage_metadata!.output_tokens);
  });

  it('stream: the chunks concatenate to the invoked content, and usage arrives', async () => {
    ctx.log.label = 'langchain invoke (to compare)';
    const expected = await model().invoke(PROMPT);
    ctx.log.label = 'langchain stream';
    let merged: AIMessageChunk | undefined;
    for await (const chunk of await model().stream(PROMPT)) merged = merged ? merged.concat(chunk) : chunk;
    assert.ok(merged);
    assert.equal(merged.content, expected.content);
    const counts = (u: typeof expected.usage_metadata) => [u?.input_tokens, u?.output_tokens, u?.total_tokens];
    assert.ok(merged.usage_metadata, 'usage arrives with the stream (LangChain asks for include_usage)');
    assert.deepEqual(counts(merged.usage_metadata), counts(expected.usage_metadata));
  });

  it('withStructuredOutput(zod schema): a parsed object valid under the schema', async () => {
    ctx.log.label = 'langchain withStructuredOutput';
    await expectStructured(ctx, () => model(STRUCTURED_MAX_TOKENS).withStructuredOutput(ANSWER_SCHEMA).invoke(PROMPT));
  });
}
