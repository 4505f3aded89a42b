import { strict as assert } from 'node:assert';
import { AdapterParseError } from '../../../../src/engine/adapters/errors';
import { findJsonObject, JSONAdapter } from '../../../../src/engine/adapters/jsonAdapter';
import { Signature } from '../../../../src/engine/program/signature';

const sig = Signature.parse("question -> answer, n: int, tags: list[str], label: Literal['yes', 'no'], meta: dict");

describe('JSONAdapter', () => {
  const adapter = new JSONAdapter();

  it('asks for one JSON object with the output keys and renders demos as JSON', () => {
    const p = adapter.format({ signature: sig, instructions: 'Be exact.', demos: [{ question: 'q', answer: 'a', n: 1 }], inputs: { question: 'Q?' } });
    assert.match(p.messages[0].content, /single JSON object/);
    assert.match(p.messages[0].content, /"label": <exactly one of: 'yes', 'no'>/);
    assert.match(p.messages[0].content, /Be exact\.$/);
    assert.equal(p.messages[2].content, '{"answer":"a","n":1}');
    assert.match(p.messages[3].content, /^\[\[ ## question ## \]\]\nQ\?\n\nRespond with a single JSON object with the keys "answer", "n", "tags", "label", "meta"/);
  });

  it('parses the first JSON object, inside fences and prose, and coerces fields', () => {
    const text = 'Here you go {not json}\n```json\n{"answer": "x {y}", "n": "3", "tags": ["a"], "label": "No", "meta": {"k": [1]}}\n```\n{"answer": "later"}';
    assert.deepEqual(adapter.parse(sig, text), { answer: 'x {y}', n: 3, tags: ['a'], label: 'no', meta: { k: [1] } });
  });

  it('skips an unbalanced brace before the object', () => {
    assert.deepEqual(findJsonObject('{ oops {"a": "}"}'), { a: '}' });
    assert.equal(findJsonObject('no object'), undefined);
  });

  it('reports missing keys and bad values per field', () => {
    let err: unknown;
    try {
      adapter.parse(sig, '{"answer": "a", "n": 2.5, "tags": [], "label": "maybe"}');
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof AdapterParseError);
    assert.deepEqual(err.info.parsedFields, ['answer', 'tags']);
    assert.deepEqual(err.info.missingFields, ['n', 'label', 'meta']);
    assert.equal(err.info.fractionParsed, 2 / 5);
    assert.match(err.message, /field "n": "2.5" is not an integer/);
    assert.match(err.message, /field "label": "maybe" is not one of 'yes', 'no'/);
    assert.match(err.message, /field "meta": key missing from the JSON object/);
  });

  it('fails all fields when there is no object', () => {
    assert.throws(() => adapter.parse(sig, 'nothing'), (e: unknown) => e instanceof AdapterParseError && e.info.fractionParsed === 0 && /no JSON object found/.test(e.message));
  });

  it('does not read inherited keys', () => {
    const s = Signature.parse('q -> toString');
    assert.throws(() => adapter.parse(s, '{}'), AdapterParseError);
  });
});
