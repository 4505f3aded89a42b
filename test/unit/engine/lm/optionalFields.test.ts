import { strict as assert } from 'node:assert';
import { chatCompletion, FakeOpenAIServer, type FakeChatBody, type FakeResponder } from '../../../fixtures/fakeOpenAIServer';
import { createLM } from '../../../../src/engine/lm';
import { LMError, type LMRequest } from '../../../../src/engine/lm/types';
import { Predict } from '../../../../src/engine/program/predict';
import { makeAdapter } from '../../../../src/engine/adapters';
import { runWithContext } from '../../../../src/engine/trace/context';

/** What OpenAI answers for a body field it does not know (HTTP 400, param null, the field named in the message). */
function openAIUnknownParam(field: string) {
  return { status: 400, json: { error: { message: `Unrecognized request argument supplied: ${field}`, type: 'invalid_request_error', param: null, code: null } } };
}

/** A server that rejects guided_choice as OpenAI does, and answers the bare choice otherwise. */
function openAILike(body: FakeChatBody) {
  if ('guided_choice' in body) return openAIUnknownParam('guided_choice');
  return { json: chatCompletion('transfer', { model: body.model }) };
}

const ask = (extraBody?: Record<string, unknown>): LMRequest => ({ messages: [{ role: 'user', content: 'q' }], ...(extraBody ? { extraBody } : {}) });

describe('remote servers that reject guided_choice (OpenAI): retried once without it, then left out for the run', function () {
  this.timeout(20_000);
  let server: FakeOpenAIServer;
  let baseUrl: string;
  const make = () => createLM({ baseUrl, model: 'gpt-x', maxRetries: 2, timeoutMs: 5000 }, { sleep: async () => undefined });

  afterEach(() => server.close());
  const start = async (responder: FakeResponder) => {
    server = new FakeOpenAIServer({ responder, model: 'gpt-x' });
    baseUrl = await server.start();
  };

  it('the first 400 naming guided_choice is retried once without the field; later calls never send it', async () => {
    await start(openAILike);
    const lm = make();
    const first = await lm.complete(ask({ guided_choice: ['card', 'transfer'] }));
    assert.equal(first.choices[0].text, 'transfer');
    assert.deepEqual(server.requests.map((r) => 'guided_choice' in r.body), [true, false]);
    await lm.complete(ask({ guided_choice: ['card', 'transfer'] }));
    assert.deepEqual(server.requests.map((r) => 'guided_choice' in r.body), [true, false, false], 'remembered for the run: no second 400');
    assert.deepEqual((lm as unknown as { unsupportedFields: string[] }).unsupportedFields, ['guided_choice']);
  });

  it('the field named in OpenAI\'s `param` counts too; a 400 about something else still fails at once', async () => {
    await start((body) => ('guided_choice' in body ? { status: 400, json: { error: { message: 'Invalid value.', type: 'invalid_request_error', param: 'guided_choice', code: null } } } : openAIUnknownParam('frobnicate')));
    const lm = make();
    const err = await lm.complete(ask({ guided_choice: ['a', 'b'] })).then(() => assert.fail('expected a 400'), (e: unknown) => e);
    assert.ok(err instanceof LMError && err.kind === 'bad_request', String(err));
    assert.match((err as Error).message, /frobnicate/);
    assert.deepEqual(server.requests.map((r) => 'guided_choice' in r.body), [true, false], 'one retry without the field, none for the other 400');
  });

  it('a 400 that names another field does not drop guided_choice: one request, the server\'s words', async () => {
    await start(() => ({ status: 400, json: { error: { message: 'temperature must be <= 2', type: 'invalid_request_error', param: 'temperature', code: null } } }));
    const lm = make();
    await assert.rejects(lm.complete(ask({ guided_choice: ['a', 'b'] })), /temperature must be <= 2/);
    assert.equal(server.requests.length, 1);
    assert.deepEqual((lm as unknown as { unsupportedFields: string[] }).unsupportedFields, []);
  });

  it('a server that takes guided_choice keeps getting it', async () => {
    await start((body) => ({ json: chatCompletion(String((body.guided_choice as string[] | undefined)?.[0] ?? 'none'), { model: body.model }) }));
    const lm = make();
    for (let i = 0; i < 2; i++) assert.equal((await lm.complete(ask({ guided_choice: ['card'] }))).choices[0].text, 'card');
    assert.deepEqual(server.requests.map((r) => 'guided_choice' in r.body), [true, true]);
  });

  it('a Literal module on the default adapter (guided choice on) answers against an OpenAI-like server, no flag needed', async () => {
    await start(openAILike);
    const lm = make();
    const predict = new Predict("utterance -> category: Literal['card', 'transfer']");
    const adapter = makeAdapter({ adapter: 'chat', guidedChoice: true, structuredOutputs: false });
    const out = await runWithContext({ lm, adapter }, () => predict.forward({ utterance: 'send money' }));
    assert.equal(out.category, 'transfer');
  });
});
