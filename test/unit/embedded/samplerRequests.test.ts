import { strict as assert } from 'node:assert';
import { BackendRequestError, type GenerateRequest } from '../../../src/embedded/backend';
import { resolveModelConfig } from '../../../src/embedded/config';
import { dedupePrompts, validateRequest } from '../../../src/embedded/sampler';

// The sampler's own request checks, bound by bound: the server validates the
// client's fields first, so these guard its invariants, and the ones only the
// model can judge (a guided choice longer than the completion room, a
// response_format the JSON automaton cannot enforce) come back as a 400 that
// names the field (issue 18, mutation testing).

// contextLength 64 with 48 prompt tokens leaves 16 for a completion.
const config = resolveModelConfig({ contextLength: 64, maxPromptTokens: 48, nLayer: 1, nHead: 1, dModel: 8, mlpRatio: 1, seed: 1 });

function request(over: Partial<GenerateRequest> = {}): GenerateRequest {
  return { messages: [{ role: 'user', content: 'hi' }], temperature: 1, top_p: 1, max_tokens: 4, n: 1, logprobs: false, top_logprobs: 0, ...over };
}

const invalid = (over: Partial<GenerateRequest>, message: RegExp, param?: string) =>
  assert.throws(
    () => validateRequest(request(over), config),
    (e: Error) => message.test(e.message) && /^Invalid generate request: .*\.$/.test(e.message) && (param === undefined ? !(e instanceof BackendRequestError) : e instanceof BackendRequestError && e.param === param),
    `${JSON.stringify(over)} -> ${message}`,
  );

describe('embedded sampler: request checks', () => {
  it('accepts the boundaries', () => {
    for (const over of [
      { temperature: 0 }, { top_p: 1 }, { top_p: 1e-9 }, { max_tokens: 1 }, { n: 1 }, { n: 128 }, { top_logprobs: 0 }, { top_logprobs: 20 },
      { seed: -3 }, { stop: ['x'] }, { messages: undefined, prompt: 'p' }, { guidedChoice: ['x'.repeat(15)] },
    ] as Partial<GenerateRequest>[]) {
      validateRequest(request(over), config);
    }
  });

  it('refuses what lies past them', () => {
    invalid({ prompt: 'p' }, /give exactly one of messages and prompt/);
    invalid({ messages: undefined }, /give exactly one of messages and prompt/);
    invalid({ messages: [] }, /messages must be a non-empty array/);
    invalid({ messages: undefined, prompt: '' }, /prompt must be a non-empty string/);
    invalid({ temperature: -0.1 }, /temperature must be >= 0, got -0\.1/);
    invalid({ temperature: Infinity }, /temperature must be >= 0/);
    invalid({ temperature: NaN }, /temperature/);
    invalid({ top_p: 0 }, /top_p must be in \(0, 1\], got 0/);
    invalid({ top_p: 1.01 }, /top_p/);
    invalid({ max_tokens: 0 }, /max_tokens must be a positive integer, got 0/);
    invalid({ max_tokens: 1.5 }, /max_tokens/);
    invalid({ n: 0 }, /n must be an integer in \[1, 128\], got 0/);
    invalid({ n: 129 }, /n must be/);
    invalid({ n: 1.5 }, /n must be/);
    invalid({ top_logprobs: -1 }, /top_logprobs must be an integer in \[0, 20\], got -1/);
    invalid({ top_logprobs: 21 }, /top_logprobs/);
    invalid({ top_logprobs: 0.5 }, /top_logprobs/);
    invalid({ seed: 1.5 }, /seed must be an integer, got 1\.5/);
    invalid({ stop: [''] }, /stop must be an array of non-empty strings/);
    invalid({ stop: 'x' as unknown as string[] }, /stop must be/);
    invalid({ stop: [3 as unknown as string] }, /stop must be/);
    invalid({ guidedChoice: ['a'], responseFormat: { type: 'json_object' } }, /give at most one of guidedChoice and responseFormat/);
  });

  it('names the field when the model cannot serve the constraint', () => {
    // 16 tokens of room: a 16-byte choice needs 17 with its end-of-turn.
    invalid({ guidedChoice: ['x'.repeat(16)] }, /a guidedChoice entry needs 17 tokens but the model leaves only 16 for completions/, 'guided_choice');
    invalid({ responseFormat: { type: 'json_schema', name: 'n', schema: { type: 'object', properties: { d: { type: 'string', format: 'date' } }, required: ['d'], additionalProperties: false } } }, /format/, 'response_format');
  });
});

describe('embedded sampler: shared prefill rows', () => {
  it('maps equal prompts to one row, in first-seen order', () => {
    assert.deepEqual(dedupePrompts([[1, 2], [3], [1, 2], [3], [1, 23]]), { unique: [[1, 2], [3], [1, 23]], rowOf: [0, 1, 0, 1, 2] });
    assert.deepEqual(dedupePrompts([[1, 2, 3], [12, 3]]).rowOf, [0, 1], 'joined keys must not collide');
  });
});
