import { strict as assert } from 'node:assert';
import { FakeBackend, FAKE_JSON } from '../../../fixtures/fakeBackend';
import { request, startFakeServer, type RawResponse, type TestServer } from './httpHelpers';

const chat = (extra: Record<string, unknown> = {}) => ({ model: 'tiny-fake', messages: [{ role: 'user', content: 'hi' }], ...extra });

function assert400(res: RawResponse, param: string, message?: RegExp): void {
  assert.equal(res.status, 400, res.text);
  assert.deepEqual(Object.keys(res.json.error).sort(), ['code', 'message', 'param', 'type'], 'OpenAI error shape');
  assert.equal(res.json.error.type, 'invalid_request_error');
  assert.equal(res.json.error.param, param, res.json.error.message);
  if (message) assert.match(res.json.error.message, message);
}

const SCHEMA = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
const jsonSchema = (over: Record<string, unknown> = {}) => ({ type: 'json_schema', json_schema: { name: 'answer', schema: SCHEMA, strict: true, ...over } });

describe('embedded server: chat fields', () => {
  let server: TestServer;
  const post = (body: unknown) => request(server, 'chat/completions', { body });
  const sent = () => server.backend!.record.generates.at(-1)!;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('passes sampling fields to the backend', async () => {
    const res = await post(chat({ temperature: 0, top_p: 0.5, max_tokens: 7, n: 2, seed: 11, stop: ['a', 'b'] }));
    assert.equal(res.status, 200, res.text);
    const r = sent();
    assert.deepEqual([r.temperature, r.top_p, r.max_tokens, r.n, r.seed, r.stop], [0, 0.5, 7, 2, 11, ['a', 'b']]);
    assert.equal(r.responseFormat, undefined);
    assert.equal(r.prompt, undefined);
    await post(chat({ max_completion_tokens: 9, stop: 'z' }));
    assert.deepEqual([sent().max_tokens, sent().stop], [9, ['z']]);
    await post(chat());
    assert.deepEqual([sent().temperature, sent().top_p, sent().max_tokens, sent().n, sent().seed], [1, 1, 256, 1, undefined]);
  });

  it('passes response_format json_schema and json_object, and treats text as no constraint', async () => {
    const res = await post(chat({ response_format: jsonSchema({ description: 'one answer' }) }));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.choices[0].message.content, FAKE_JSON);
    assert.deepEqual(sent().responseFormat, { type: 'json_schema', name: 'answer', schema: SCHEMA });
    await post(chat({ response_format: { type: 'json_object' } }));
    assert.deepEqual(sent().responseFormat, { type: 'json_object' });
    await post(chat({ response_format: { type: 'text' } }));
    assert.equal(sent().responseFormat, undefined);
  });

  it('checks the shape of response_format, naming the field', async () => {
    assert400(await post(chat({ response_format: { type: 'xml' } })), 'response_format.type');
    assert400(await post(chat({ response_format: {} })), 'response_format.type');
    assert400(await post(chat({ response_format: 'json' })), 'response_format');
    assert400(await post(chat({ response_format: { type: 'json_schema' } })), 'response_format.json_schema');
    assert400(await post(chat({ response_format: jsonSchema({ name: undefined }) })), 'response_format.json_schema.name');
    assert400(await post(chat({ response_format: jsonSchema({ name: 'has space' }) })), 'response_format.json_schema.name');
    assert400(await post(chat({ response_format: jsonSchema({ schema: undefined }) })), 'response_format.json_schema.schema');
    assert400(await post(chat({ response_format: jsonSchema({ schema: [1] }) })), 'response_format.json_schema.schema');
    assert400(await post(chat({ response_format: jsonSchema({ strict: 'yes' }) })), 'response_format.json_schema.strict');
    assert400(await post(chat({ response_format: jsonSchema({ extra: 1 }) })), 'response_format.json_schema.extra');
    assert400(await post(chat({ response_format: { type: 'json_object', schema: {} } })), 'response_format.schema');
    assert400(await post(chat({ response_format: { type: 'json_object' }, guided_choice: ['a'] })), 'response_format', /not both/);
    assert.equal(server.backend!.record.generates.length, 0, 'nothing invalid reached the backend');
  });

  it('refuses what the backend cannot do, naming the field', async () => {
    await server.close();
    server = await startFakeServer(new FakeBackend({ features: { training: false, logprobs: false, responseFormat: false } }));
    assert400(await post(chat({ response_format: jsonSchema() })), 'response_format', /constrained JSON decoding/);
    assert400(await post(chat({ response_format: { type: 'json_object' } })), 'response_format');
    assert400(await post(chat({ logprobs: true })), 'logprobs', /logprobs/);
    assert400(await post(chat({ stream: true, logprobs: true })), 'logprobs');
    assert.equal((await post(chat({ logprobs: false, response_format: { type: 'text' } }))).status, 200, 'the defaults stay fine');
  });

  it('refuses JSON outputs on a backend that does not declare features', async () => {
    const plain = new FakeBackend();
    Object.defineProperty(plain, 'features', { value: undefined });
    await server.close();
    server = await startFakeServer(plain);
    assert400(await post(chat({ response_format: { type: 'json_object' } })), 'response_format');
    assert.equal((await post(chat({ logprobs: true }))).status, 200, 'logprobs stay on: every backend before features had them');
  });

  const REFUSED: Array<[string, unknown]> = [
    ['tools', [{ type: 'function', function: { name: 'f', parameters: {} } }]],
    ['tool_choice', 'auto'],
    ['functions', [{ name: 'f' }]],
    ['function_call', 'auto'],
    ['audio', { voice: 'alloy', format: 'mp3' }],
    ['modalities', ['text', 'audio']],
    ['logit_bias', { '50256': -100 }],
    ['reasoning_effort', 'low'],
    ['prediction', { type: 'content', content: 'x' }],
    ['web_search_options', {}],
  ];
  for (const [field, value] of REFUSED) {
    it(`refuses ${field}: ${JSON.stringify(value)} with a 400 naming it`, async () => {
      assert400(await post(chat({ [field]: value })), field, new RegExp(`\`${field}\` is not supported`));
    });
  }

  it('penalties: refused by name on a backend without them, neutral values accepted, passed through where the backend has them', async () => {
    for (const [field, value] of [['presence_penalty', 0.5], ['frequency_penalty', -1], ['repetition_penalty', 1.2]] as const) {
      assert400(await post(chat({ [field]: value })), field, new RegExp(`^\`${field}\` cannot be served: the model backend behind this server \\(tiny-fake\\) has no token penalties`));
    }
    assert400(await post(chat({ repetition_penalty: 0 })), 'repetition_penalty', /must be a number > 0 and <= 2/);
    const neutral = await post(chat({ presence_penalty: 0, frequency_penalty: 0, repetition_penalty: 1 }));
    assert.equal(neutral.status, 200, neutral.text);
    await server.close();
    const penalizing = new FakeBackend({ features: { training: true, logprobs: true, responseFormat: true, penalties: true } });
    server = await startFakeServer(penalizing);
    const res = await post(chat({ presence_penalty: 0.5, frequency_penalty: -1, repetition_penalty: 1.2 }));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(penalizing.record.generates.at(-1)!.penalties, { presence: 0.5, frequency: -1, repetition: 1.2 });
    await post(chat({ repetition_penalty: 1 }));
    assert.deepEqual(penalizing.record.generates.at(-1)!.penalties, { repetition: 1 }, 'an explicit 1 reaches the backend: it turns a default penalty off');
  });

  it('refuses images and other non-text content parts, naming the part', async () => {
    const content = [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }];
    assert400(await post({ model: 'tiny-fake', messages: [{ role: 'user', content }] }), 'messages[0].content[1].type', /text only/);
  });

  it('accepts the harmless values real clients send', async () => {
    const res = await post({
      ...chat({ parallel_tool_calls: true, tool_choice: 'none', tools: [], modalities: ['text'], logit_bias: {} }),
      presence_penalty: 0, frequency_penalty: 0, user: 'u1', metadata: { run: 'x' }, store: false, service_tier: 'auto',
      stream: false, stream_options: { include_usage: true }, prompt_cache_key: 'k', safety_identifier: 's', seed: null,
    });
    assert.equal(res.status, 200, res.text);
    assert.ok(!('usage' in res.json) || res.json.usage.total_tokens > 0);
  });

  it("takes OpenAI's developer role as the system role", async () => {
    const res = await post({ model: 'tiny-fake', messages: [{ role: 'developer', content: 'be brief' }, { role: 'user', content: 'hi' }] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(sent().messages?.[0], { role: 'system', content: 'be brief' });
  });

  it('checks the types of ignored fields too', async () => {
    assert400(await post(chat({ user: 5 })), 'user');
    assert400(await post(chat({ metadata: 'x' })), 'metadata');
    assert400(await post(chat({ stream_options: { include_usage: 'yes' } })), 'stream_options.include_usage');
    assert400(await post(chat({ stream_options: { other: true } })), 'stream_options.other');
    assert400(await post(chat({ max_tokens: 5, max_completion_tokens: 6 })), 'max_completion_tokens');
  });
});
