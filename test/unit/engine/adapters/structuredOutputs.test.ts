import { strict as assert } from 'node:assert';
import { ChatAdapter } from '../../../../src/engine/adapters/chatAdapter';
import { JSONAdapter } from '../../../../src/engine/adapters/jsonAdapter';
import { makeAdapter } from '../../../../src/engine/adapters/makeAdapter';
import { outputSchema } from '../../../../src/engine/adapters/outputSchema';
import { AdapterParseError } from '../../../../src/engine/adapters/errors';
import { Signature } from '../../../../src/engine/program/signature';

const sig = Signature.from({
  inputs: { question: 'string' },
  outputs: {
    answer: { type: 'string', desc: 'one sentence' },
    score: 'integer',
    ratio: 'number',
    ok: 'boolean',
    tags: { type: { kind: 'list', items: { kind: 'string' } } },
    label: { type: { kind: 'literal', values: ['a', 'b', 3] } },
    extra: 'json',
  },
});
const single = Signature.from("utterance -> category: Literal['card', 'transfer']");
const input = (signature: Signature) => ({ signature, instructions: 'Be brief.', demos: [], inputs: { question: 'q?', utterance: 'u' } });

describe('structured outputs (response_format json_schema)', () => {
  it('the schema names every output with its type, all required, nothing else allowed, in signature order', () => {
    assert.deepEqual(outputSchema(sig), {
      type: 'object',
      properties: {
        answer: { type: 'string', description: 'one sentence' },
        score: { type: 'integer' },
        ratio: { type: 'number' },
        ok: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string' } },
        label: { enum: ['a', 'b', 3] },
        extra: { type: 'object' },
      },
      required: ['answer', 'score', 'ratio', 'ok', 'tags', 'label', 'extra'],
      additionalProperties: false,
    });
  });

  it('the chat adapter with structured outputs asks for JSON and sends the schema; the answer parses as JSON', () => {
    const adapter = new ChatAdapter({ guidedChoice: true, structuredOutputs: true });
    const prompt = adapter.format(input(sig));
    assert.equal(prompt.jsonMode, true);
    const rf = prompt.extraBody?.response_format as { type: string; json_schema: { strict: boolean; schema: unknown } };
    assert.equal(rf.type, 'json_schema');
    assert.equal(rf.json_schema.strict, true);
    assert.deepEqual(rf.json_schema.schema, outputSchema(sig));
    assert.match(prompt.messages[0].content, /single JSON object/);
    const answer = { answer: 'yes', score: 2, ratio: 0.5, ok: true, tags: ['x'], label: 3, extra: { k: 1 } };
    assert.deepEqual(adapter.parse(sig, JSON.stringify(answer), prompt), answer);
    assert.throws(() => adapter.parse(sig, '[[ ## answer ## ]]\nyes', prompt), AdapterParseError);
    // Demos for the same module are rendered the way the model is asked to answer.
    assert.deepEqual(JSON.parse(adapter.formatAnswer(sig, answer)), answer);
  });

  it('a single literal output stays in choice mode (guided_choice), not JSON', () => {
    const prompt = new ChatAdapter({ guidedChoice: true, structuredOutputs: true }).format(input(single));
    assert.equal(prompt.choiceMode, true);
    assert.equal(prompt.jsonMode, undefined);
    assert.deepEqual(prompt.extraBody, { guided_choice: ['card', 'transfer'] });
  });

  it('without structured outputs the chat adapter keeps the marker format and sends no response_format', () => {
    const prompt = new ChatAdapter({ guidedChoice: true }).format(input(sig));
    assert.equal(prompt.jsonMode, undefined);
    assert.equal(prompt.extraBody, undefined);
    assert.match(prompt.messages[0].content, /\[\[ ## answer ## \]\]/);
  });

  it('makeAdapter builds what the settings say', () => {
    assert.ok(makeAdapter({ adapter: 'json', guidedChoice: true, structuredOutputs: true }) instanceof JSONAdapter);
    const json = makeAdapter({ adapter: 'json', guidedChoice: false, structuredOutputs: true }).format(input(sig));
    assert.ok(json.extraBody?.response_format);
    const plain = makeAdapter({ adapter: 'json', guidedChoice: false, structuredOutputs: false }).format(input(sig));
    assert.equal(plain.extraBody, undefined);
    const chat = makeAdapter({ adapter: 'chat', guidedChoice: true, structuredOutputs: false }).format(input(single));
    assert.deepEqual(chat.extraBody, { guided_choice: ['card', 'transfer'] });
  });
});
