import { strict as assert } from 'node:assert';
import { Signature, SignatureError } from '../../../../src/engine/program/signature';

function expectSigError(src: string, column: number | undefined, reason: RegExp): SignatureError {
  let caught: unknown;
  try {
    Signature.parse(src);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SignatureError, `expected SignatureError for ${JSON.stringify(src)}, got ${String(caught)}`);
  assert.equal(caught.column, column, `column for ${JSON.stringify(src)}: ${caught.message}`);
  assert.match(caught.reason, reason);
  return caught;
}

describe('Signature string form', () => {
  it('parses default str fields and typed fields in order', () => {
    const s = Signature.parse('question, context: list[str] -> answer');
    assert.deepEqual(s.inputFields, [
      { name: 'question', type: { kind: 'string' } },
      { name: 'context', type: { kind: 'list', items: { kind: 'string' } } },
    ]);
    assert.deepEqual(s.outputFields, [{ name: 'answer', type: { kind: 'string' } }]);
  });

  it('parses every scalar type and aliases', () => {
    const s = Signature.parse('a: int, b: float, c: bool, d: dict, e: json, f: integer -> g: string, h: number, i: boolean');
    assert.deepEqual(
      [...s.inputFields, ...s.outputFields].map((f) => f.type),
      [
        { kind: 'number', integer: true },
        { kind: 'number' },
        { kind: 'boolean' },
        { kind: 'json' },
        { kind: 'json' },
        { kind: 'number', integer: true },
        { kind: 'string' },
        { kind: 'number' },
        { kind: 'boolean' },
      ],
    );
  });

  it('parses Literal values of every kind, both quote styles and escapes', () => {
    const s = Signature.parse(`x -> y: Literal['card', "transfer", 'it\\'s', 3, -1.5, True, false]`);
    assert.deepEqual(s.outputFields[0].type, { kind: 'literal', values: ['card', 'transfer', "it's", 3, -1.5, true, false] });
  });

  it('parses nested lists and dict with ignored arguments', () => {
    const s = Signature.parse('x: list[list[int]], y: dict[str, Any] -> z: list[Literal["a", "b"]]');
    assert.deepEqual(s.inputFields[0].type, { kind: 'list', items: { kind: 'list', items: { kind: 'number', integer: true } } });
    assert.deepEqual(s.inputFields[1].type, { kind: 'json' });
    assert.deepEqual(s.outputFields[0].type, { kind: 'list', items: { kind: 'literal', values: ['a', 'b'] } });
  });

  it('toString is canonical and round-trips', () => {
    const src = `question ,context:list[ str ]->answer, label : Literal['a', "b's", 2, True], n: int, d: dict`;
    const s = Signature.parse(src);
    assert.equal(s.toString(), `question, context: list[str] -> answer, label: Literal['a', 'b\\'s', 2, True], n: int, d: dict`);
    assert.deepEqual(Signature.parse(s.toString()).outputFields, s.outputFields);
    assert.ok(Signature.parse(s.toString()).equals(s));
  });

  it('withPrependedOutput puts the new field first and keeps the original intact', () => {
    const s = Signature.parse('q -> a');
    const t = s.withPrependedOutput({ name: 'reasoning', type: { kind: 'string' } });
    assert.deepEqual(t.outputNames, ['reasoning', 'a']);
    assert.deepEqual(s.outputNames, ['a']);
    assert.throws(() => s.withPrependedOutput({ name: 'q', type: { kind: 'string' } }), /both an input and an output/);
  });
});

describe('Signature errors', () => {
  it('names the column and shows a caret for a missing output', () => {
    const e = expectSigError('a -> ', 5, /expected an output field name/);
    assert.match(e.message, /^Malformed signature "a -> " at column 5: expected an output field name/);
    assert.ok(e.message.endsWith('\n  a -> \n       ^'), e.message);
  });

  it('reports a missing arrow at the end', () => {
    expectSigError('a, b', 4, /missing "->"/);
  });

  it('reports a missing input', () => {
    expectSigError('-> b', 0, /expected an input field name/);
  });

  it('reports non-identifier names at the name', () => {
    expectSigError('1a -> b', 0, /"1a" is not an identifier/);
    expectSigError('a -> b-c', 6, /expected ",", ":" or the end of the signature after field "b", got "-c"/);
  });

  it('reports unknown types at the type name', () => {
    expectSigError('a: strr -> b', 3, /unknown type "strr"; known types/);
  });

  it('reports duplicates at the second occurrence', () => {
    expectSigError('a, b, a -> c', 6, /duplicate input field name "a"/);
    expectSigError('x -> a, a', 8, /duplicate output field name "a"/);
  });

  it('reports an input/output clash at the output', () => {
    expectSigError('a, b -> b', 8, /field "b" is both an input and an output/);
  });

  it('reports junk between fields and after the outputs', () => {
    expectSigError('a b -> c', 2, /expected ",", ":" or "->" after field "a"/);
    expectSigError('a -> b -> c', 7, /expected "," or the end/);
  });

  it('reports bad Literal and list syntax', () => {
    expectSigError('a -> b: Literal', 15, /Literal needs values/);
    expectSigError("a -> b: Literal['x' 'y']", 20, /expected "," or "]" in Literal/);
    expectSigError("a -> b: Literal['x", 16, /unterminated string/);
    expectSigError('a -> b: list[int', 16, /expected "]" to close list/);
    expectSigError('a -> b: int[str]', 11, /takes no/);
    expectSigError('a -> b: Literal[foo]', 16, /is not a quoted string/);
  });

  it('rejects reserved names', () => {
    expectSigError('__proto__ -> b', 0, /reserved/);
  });
});

describe('Signature object form', () => {
  it('accepts simple names, structured types, descriptions and instructions', () => {
    const s = Signature.from({
      inputs: { question: { type: 'string', desc: 'the question' }, n: 'integer' },
      outputs: {
        label: { type: { kind: 'literal', values: ['a', 'b'] }, desc: 'the label' },
        score: { kind: 'number' },
        tags: { type: { kind: 'list', items: { kind: 'boolean' } } },
        extra: 'json',
        plain: {},
      },
      instructions: 'Do it.',
    });
    assert.deepEqual(s.inputFields, [
      { name: 'question', type: { kind: 'string' }, description: 'the question' },
      { name: 'n', type: { kind: 'number', integer: true } },
    ]);
    assert.equal(s.outputFields[0].description, 'the label');
    assert.equal(s.toString(), "question, n: int -> label: Literal['a', 'b'], score: float, tags: list[bool], extra: dict, plain");
    assert.equal(s.instructions, 'Do it.');
  });

  it('returns the same Signature instance and parses strings', () => {
    const s = Signature.parse('a -> b');
    assert.equal(Signature.from(s), s);
    assert.equal(Signature.from('a -> b').toString(), 'a -> b');
  });

  it('rejects bad objects with field names in the message', () => {
    assert.throws(() => Signature.from({ inputs: { q: 'strng' as never }, outputs: { a: 'string' } }), /input field "q" has unknown type "strng"/);
    assert.throws(() => Signature.from({ inputs: { 'my q': 'string' }, outputs: { a: 'string' } }), /"my q" is not an identifier/);
    assert.throws(() => Signature.from({ inputs: { q: 'string' }, outputs: { q: 'string' } }), /both an input and an output/);
    assert.throws(() => Signature.from({ inputs: {}, outputs: { a: 'string' } }), /at least one input/);
    assert.throws(() => Signature.from({ inputs: { q: 'string' }, outputs: { a: { kind: 'literal', values: [] } } }), /without values/);
    assert.throws(() => Signature.from({ inputs: { q: 'string' }, outputs: { a: { kind: 'literal', values: [null as never] } } }), /only strings/);
    assert.throws(() => Signature.from({ inputs: { q: 'string' }, outputs: { a: { kind: 'tuple' } as never } }), /unknown type kind "tuple"/);
  });

  it('is immutable', () => {
    const s = Signature.parse('a -> b');
    assert.throws(() => (s.inputFields as unknown as unknown[]).push({}), TypeError);
  });
});
