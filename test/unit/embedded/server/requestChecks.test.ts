import { strict as assert } from 'node:assert';
import { Fields } from '../../../../src/embedded/server/fields';
import {
  activePenalty,
  checkIgnored,
  CHAT_REFUSED_FIELDS,
  COMPLETION_REFUSED_FIELDS,
  readGuidedChoice,
  readSampling,
  refuseUnsupported,
} from '../../../../src/embedded/server/requestFields';
import { readResponseFormat, refuseBothConstraints } from '../../../../src/embedded/server/responseFormat';
import { isSafeCheckpointName, makeJobId, safeDirName, slugify, stripModelPrefix } from '../../../../src/embedded/server/modelNames';
import { refused } from './httpHelpers';

// Request-level checks of the embedded server: sampling settings and their
// bounds, what is refused and what is accepted as harmless, response formats,
// guided choices, and the names that become directories (issue 18).

const body = (o: Record<string, unknown>) => new Fields(o, '');

describe('server requests: sampling', () => {
  it('fills defaults, and keeps what the request set', () => {
    assert.deepEqual(readSampling(body({}), 64), { temperature: 1, top_p: 1, max_tokens: 64, n: 1, stream: false, includeUsage: false });
    assert.deepEqual(
      readSampling(body({ temperature: 0, top_p: 0.5, max_tokens: 5, n: 2, stop: 'x', seed: 3, stream: true, stream_options: { include_usage: true }, repetition_penalty: 1 }), 64),
      { temperature: 0, top_p: 0.5, max_tokens: 5, n: 2, stop: ['x'], seed: 3, stream: true, includeUsage: true, penalties: { repetition: 1 } },
    );
  });

  it('bounds each setting as OpenAI documents it', () => {
    refused(() => readSampling(body({ temperature: 2.01 }), 8), 'temperature', /<= 2/);
    assert.equal(readSampling(body({ temperature: 2 }), 8).temperature, 2);
    refused(() => readSampling(body({ top_p: 0 }), 8), 'top_p', /> 0/);
    refused(() => readSampling(body({ n: 129 }), 8), 'n', /<= 128/);
    assert.equal(readSampling(body({ n: 128 }), 8).n, 128);
    refused(() => readSampling(body({ max_tokens: 0 }), 8), 'max_tokens', /an integer >= 1 and <= 32768/);
    assert.equal(readSampling(body({ max_tokens: 32768 }), 8).max_tokens, 32768);
    refused(() => readSampling(body({ seed: 1.5 }), 8), 'seed', /an integer/);
  });

  it('takes max_completion_tokens too, and refuses two different limits', () => {
    assert.equal(readSampling(body({ max_completion_tokens: 7 }), 8).max_tokens, 7);
    assert.equal(readSampling(body({ max_completion_tokens: 7, max_tokens: 7 }), 8).max_tokens, 7);
    refused(() => readSampling(body({ max_completion_tokens: 7, max_tokens: 6 }), 8), 'max_completion_tokens', /disagree; send only one/);
  });

  it('reads stop as a string or up to 16 strings', () => {
    assert.deepEqual(readSampling(body({ stop: ['a', 'b'] }), 8).stop, ['a', 'b']);
    assert.equal(readSampling(body({ stop: Array(16).fill('s') }), 8).stop?.length, 16);
    refused(() => readSampling(body({ stop: Array(17).fill('s') }), 8), 'stop', /at most 16 sequences/);
    refused(() => readSampling(body({ stop: ['a', ''] }), 8), 'stop[1]', /non-empty string/);
  });

  it('counts usage only on a stream, and checks stream_options even when ignored', () => {
    assert.equal(readSampling(body({ stream_options: { include_usage: true } }), 8).includeUsage, false);
    assert.equal(readSampling(body({ stream: true, stream_options: { include_obfuscation: false } }), 8).includeUsage, false);
    refused(() => readSampling(body({ stream_options: { foo: 1 } }), 8), 'stream_options.foo', /Unknown field/);
    refused(() => readSampling(body({ stream_options: { include_obfuscation: 1 } }), 8), 'stream_options.include_obfuscation', /true or false/);
  });

  it('reads penalties in their ranges and reports the first one that changes sampling', () => {
    assert.deepEqual(readSampling(body({ presence_penalty: -2, frequency_penalty: 2 }), 8).penalties, { presence: -2, frequency: 2 });
    refused(() => readSampling(body({ presence_penalty: 2.5 }), 8), 'presence_penalty', /<= 2/);
    refused(() => readSampling(body({ repetition_penalty: 0 }), 8), 'repetition_penalty', /> 0/);
    assert.equal(activePenalty(undefined), undefined);
    assert.equal(activePenalty({ repetition: 1, frequency: 0, presence: 0 }), undefined, 'neutral values change nothing');
    assert.equal(activePenalty({ repetition: 1.1, frequency: 1 }), 'repetition_penalty');
    assert.equal(activePenalty({ frequency: 0.5, presence: 1 }), 'frequency_penalty');
    assert.equal(activePenalty({ presence: -1 }), 'presence_penalty');
  });
});

describe('server requests: refused and ignored fields', () => {
  it('accepts only the harmless value of each unsupported field, and names the field otherwise', () => {
    const harmless = { logit_bias: {}, tools: [], tool_choice: 'none', functions: [], function_call: 'none', parallel_tool_calls: false, modalities: ['text'] };
    refuseUnsupported(body(harmless), CHAT_REFUSED_FIELDS);
    refuseUnsupported(body({ echo: false, suffix: '', logit_bias: null }), COMPLETION_REFUSED_FIELDS);
    const harmful: Record<string, unknown> = {
      logit_bias: { 1: 5 }, tools: [{}], tool_choice: 'auto', functions: [{}], function_call: 'auto', parallel_tool_calls: 'yes',
      modalities: ['text', 'audio'], audio: {}, prediction: {}, web_search_options: {}, reasoning_effort: 'low', verbosity: 'low',
    };
    for (const [key, value] of Object.entries(harmful)) {
      refused(() => refuseUnsupported(body({ [key]: value }), CHAT_REFUSED_FIELDS), key, new RegExp(`^\`${key}\` is not supported by this server: .*\\(got `));
    }
    refused(() => refuseUnsupported(body({ echo: true }), COMPLETION_REFUSED_FIELDS), 'echo', /omit it or send false/);
    refused(() => refuseUnsupported(body({ suffix: 'x' }), COMPLETION_REFUSED_FIELDS), 'suffix', /insertion/);
    assert.equal(CHAT_REFUSED_FIELDS.includes('echo'), false, 'echo is a completions field');
    assert.deepEqual(COMPLETION_REFUSED_FIELDS, ['logit_bias', 'echo', 'suffix']);
  });

  it('type-checks the fields it ignores', () => {
    checkIgnored(body({ user: 'u', metadata: {}, store: false, service_tier: 'auto', prompt_cache_key: 'k', safety_identifier: 's' }));
    for (const [key, value] of [['user', 1], ['metadata', 'x'], ['store', 'no'], ['service_tier', 2], ['prompt_cache_key', 3], ['safety_identifier', 4]] as const) {
      refused(() => checkIgnored(body({ [key]: value })), key, /must be/);
    }
  });
});

describe('server requests: constraints', () => {
  it('reads guided_choice or structured_outputs.choice, never both, never empty', () => {
    assert.equal(readGuidedChoice(body({})), undefined);
    assert.deepEqual(readGuidedChoice(body({ guided_choice: ['a', 'b'] })), ['a', 'b']);
    assert.deepEqual(readGuidedChoice(body({ structured_outputs: { choice: ['c'] } })), ['c']);
    refused(() => readGuidedChoice(body({ guided_choice: ['a'], structured_outputs: { choice: ['c'] } })), 'guided_choice', /either `guided_choice` or `structured_outputs.choice`/);
    refused(() => readGuidedChoice(body({ structured_outputs: { json: {} } })), 'structured_outputs.json', /Unknown field/);
    refused(() => readGuidedChoice(body({ guided_choice: [] })), 'guided_choice', /at least one choice/);
    refused(() => readGuidedChoice(body({ guided_choice: ['a', 1] })), 'guided_choice[1]', /string/);
  });

  it('reads response formats: text is none, json_object, json_schema with a valid name and a schema', () => {
    assert.equal(readResponseFormat(body({})), undefined);
    assert.equal(readResponseFormat(body({ response_format: { type: 'text' } })), undefined);
    assert.deepEqual(readResponseFormat(body({ response_format: { type: 'json_object' } })), { type: 'json_object' });
    const schema = { type: 'object' };
    assert.deepEqual(
      readResponseFormat(body({ response_format: { type: 'json_schema', json_schema: { name: 'Ab_9-x', schema, strict: true, description: 'd' } } })),
      { type: 'json_schema', name: 'Ab_9-x', schema },
    );
    assert.equal(readResponseFormat(body({ response_format: { type: 'json_schema', json_schema: { name: 'n'.repeat(64), schema } } }))?.type, 'json_schema');
  });

  it('refuses malformed response formats by path', () => {
    const rf = (v: unknown) => () => readResponseFormat(body({ response_format: v }));
    refused(rf({}), 'response_format.type', /Missing required field `response_format\.type` \(text, json_object or json_schema\)/);
    refused(rf({ type: 'yaml' }), 'response_format.type', /must be one of/);
    refused(rf({ type: 'text', json_schema: {} }), 'response_format.json_schema', /Unknown field/);
    refused(rf({ type: 'json_object', schema: {} }), 'response_format.schema', /Unknown field/);
    refused(rf({ type: 'json_schema' }), 'response_format.json_schema', /Missing required field/);
    refused(rf({ type: 'json_schema', json_schema: { name: 'a b', schema: {} } }), 'response_format.json_schema.name', /1 to 64 letters, digits, underscores or dashes, got "a b"/);
    refused(rf({ type: 'json_schema', json_schema: { name: 'n'.repeat(65), schema: {} } }), 'response_format.json_schema.name', /1 to 64/);
    refused(rf({ type: 'json_schema', json_schema: { name: 'n' } }), 'response_format.json_schema.schema', /Missing required field/);
    refused(rf({ type: 'json_schema', json_schema: { name: 'n', schema: [] } }), 'response_format.json_schema.schema', /must be a JSON object/);
    refused(rf({ type: 'json_schema', json_schema: { name: 'n', schema: {}, strict: 'yes' } }), 'response_format.json_schema.strict', /true or false/);
    refused(rf({ type: 'json_schema', json_schema: { name: 'n', schema: {}, extra: 1 } }), 'response_format.json_schema.extra', /Unknown field/);
    refused(() => refuseBothConstraints({ type: 'json_object' }, ['a']), 'response_format', /not both/);
    refuseBothConstraints(undefined, ['a']);
    refuseBothConstraints({ type: 'json_object' }, undefined);
  });
});

describe('server requests: model and checkpoint names', () => {
  it('strips stacked provider prefixes only at the start', () => {
    assert.equal(stripModelPrefix(' openai/arbor:grpo:x '), 'grpo:x');
    assert.equal(stripModelPrefix('huggingface/local:tiny'), 'tiny');
    assert.equal(stripModelPrefix('my-openai/x'), 'my-openai/x');
  });

  it('makes safe slugs, job ids and directory names', () => {
    assert.equal(slugify('--Hello, World!--'), 'hello-world');
    assert.equal(slugify('a'.repeat(50)).length, 40);
    assert.equal(makeJobId('tiny', 'run', new Date(Date.UTC(2025, 0, 2))), 'grpo:tiny:run:20250102');
    assert.equal(safeDirName('grpo:tiny/x y.1-2_3'), 'grpo_tiny_x_y.1-2_3');
  });

  it('allows plain checkpoint names only', () => {
    for (const ok of ['step_1', 'a.b-c', 'x'.repeat(100)]) assert.equal(isSafeCheckpointName(ok), true, ok);
    for (const bad of ['', '.', '..', '../x', 'a/b', 'a b', 'x'.repeat(101), 'ok\n']) assert.equal(isSafeCheckpointName(bad), false, JSON.stringify(bad));
  });
});
