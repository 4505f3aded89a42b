import { strict as assert } from 'node:assert';
import type { JsonSchema, ResponseFormat } from '../../../src/embedded/backend';
import { compileJsonConstraint, type JsonConstraint, type JsonState } from '../../../src/embedded/jsonConstraint';
import { ANY } from '../../../src/embedded/jsonConstraintSchema';
import { SPECIAL } from '../../../src/embedded/tokenizer';

const schemaFormat = (schema: JsonSchema): ResponseFormat => ({ type: 'json_schema', name: 't', schema });
const compile = (schema: JsonSchema) => compileJsonConstraint(schemaFormat(schema));

/** 'complete' (may end here), 'prefix' (accepted, incomplete) or the index of the first refused byte. */
function judge(c: JsonConstraint, text: string | Uint8Array): 'complete' | 'prefix' | number {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  let s: JsonState = c.start;
  for (let i = 0; i < bytes.length; i++) {
    const next = c.step(s, bytes[i]);
    if (!next) return i;
    s = next;
  }
  return c.isComplete(s) ? 'complete' : 'prefix';
}

function stateAfter(c: JsonConstraint, text: string): JsonState {
  let s = c.start;
  for (const b of new TextEncoder().encode(text)) s = c.step(s, b)!;
  return s;
}

const allowedText = (c: JsonConstraint, text: string) => c.allowedBytes(stateAfter(c, text)).ids.map((b) => String.fromCharCode(b)).join('');

const OBJ = {
  type: 'object',
  properties: { label: { type: 'string', enum: ['pos', 'neg'] }, n: { type: 'integer' }, ok: { type: 'boolean' } },
  required: ['label', 'n', 'ok'],
  additionalProperties: false,
};

describe('JSON constraint', () => {
  it('accepts exactly the compact object with every key in schema order', () => {
    const c = compile(OBJ);
    assert.equal(judge(c, '{"label":"neg","n":-12,"ok":true}'), 'complete');
    assert.equal(judge(c, '{"label":"neg","ok":true,"n":1}'), 16, 'keys in schema order');
    assert.equal(judge(c, '{"label":"neg","n":1}'), 20, 'a required key cannot be skipped');
    assert.equal(judge(c, '{"label":"neg","n":1,"ok":true,"x":1}'), 30, 'no extra key');
    assert.equal(judge(c, '{ "label"'), 1, 'no whitespace');
    assert.equal(judge(c, '{"label":"neu"'), 12, 'enum');
    const end = stateAfter(c, '{"label":"pos","n":0,"ok":false}');
    assert.ok(c.isFinished(end));
    assert.deepEqual(c.allowedTokens(end), [SPECIAL.endOfTurn]);
  });

  it('numbers follow the JSON grammar with bounded digits', () => {
    const num = compile({ type: 'number' });
    for (const ok of ['0', '-0', '12', '-3.25', '1e5', '1E+05', '2.5e-3', '0.001', '123456789012345', '1.123456789012345', '1e99']) assert.equal(judge(num, ok), 'complete', ok);
    for (const prefix of ['-', '1.', '1e', '1e+']) assert.equal(judge(num, prefix), 'prefix', prefix);
    assert.equal(judge(num, '01'), 1, 'no leading zero');
    assert.equal(judge(num, '-01'), 2);
    assert.equal(judge(num, '+1'), 0);
    assert.equal(judge(num, '.5'), 0);
    assert.equal(judge(num, '1.e5'), 2);
    assert.equal(judge(num, '1234567890123456'), 15, '15 integer digits at most');
    assert.equal(judge(num, '1.1234567890123456'), 17, '15 fraction digits at most');
    assert.equal(judge(num, '1e100'), 4, '2 exponent digits at most');
    const int = compile({ type: 'integer' });
    assert.equal(judge(int, '-42'), 'complete');
    assert.equal(judge(int, '4.2'), 1);
    assert.equal(judge(int, '4e2'), 1);
    assert.ok(int.isFinished(stateAfter(int, '0')), 'an integer 0 cannot continue');
    assert.ok(!num.isFinished(stateAfter(num, '7')), 'a number may still grow');
  });

  it('strings take escapes and well-formed UTF-8, never raw control characters or surrogate escapes', () => {
    const c = compile({ type: 'string' });
    assert.equal(judge(c, '"a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uFFFF é€😀"'), 'complete');
    assert.equal(judge(c, '"\n"'), 1);
    assert.equal(judge(c, '"\\x"'), 2);
    assert.equal(judge(c, '"\\u12g4"'), 5);
    assert.equal(judge(c, '"\\ud800"'), 4, 'a surrogate escape would break code-point counting');
    assert.equal(judge(c, '"\\uD7FF"'), 'complete');
    assert.equal(judge(c, Uint8Array.from([0x22, 0xc0, 0x80, 0x22])), 1, 'overlong lead byte');
    assert.equal(judge(c, Uint8Array.from([0x22, 0xe2, 0x28])), 2, 'missing continuation byte');
    assert.equal(judge(c, Uint8Array.from([0x22, 0xed, 0xa0, 0x80])), 2, 'UTF-8 surrogate');
    assert.equal(judge(c, Uint8Array.from([0x22, 0x80])), 1, 'stray continuation byte');
    assert.equal(allowedText(c, '"\\'), '"/\\bfnrtu');
  });

  it('minLength and maxLength count characters: a multi-byte character or an escape is one', () => {
    const c = compile({ type: 'string', minLength: 1, maxLength: 2 });
    assert.equal(judge(c, '""'), 1);
    assert.equal(judge(c, '"é😀"'), 'complete');
    assert.equal(judge(c, '"\\n\\u0041"'), 'complete');
    assert.equal(judge(c, '"abc"'), 3);
    assert.equal(allowedText(c, '"ab'), '"');
    assert.equal(judge(compile({ type: 'string', maxLength: 0 }), '""'), 'complete');
  });

  it('enum and const take any scalar; a literal that prefixes another may end or go on', () => {
    const c = compile({ enum: [1, 12, 'a', null, true, -0.5] });
    for (const v of ['1', '12', '"a"', 'null', 'true', '-0.5']) assert.equal(judge(c, v), 'complete', v);
    assert.equal(judge(c, '2'), 0);
    assert.equal(judge(c, '123'), 2);
    const one = stateAfter(c, '1');
    assert.deepEqual(c.allowedTokens(one), [0x32, SPECIAL.endOfTurn]);
    const inArray = compile({ type: 'array', items: { enum: [1, 12] } });
    assert.equal(allowedText(inArray, '[1'), ',2]');
    assert.equal(judge(compile({ const: 'x"y' }), '"x\\"y"'), 'complete');
  });

  it('arrays honour items, minItems and maxItems', () => {
    const c = compile({ type: 'array', items: { type: 'boolean' }, minItems: 1, maxItems: 2 });
    assert.equal(judge(c, '[]'), 1);
    assert.equal(judge(c, '[true]'), 'complete');
    assert.equal(judge(c, '[true,false]'), 'complete');
    assert.equal(judge(c, '[true,false,true]'), 11);
    assert.equal(judge(c, '[1]'), 1);
    assert.equal(judge(compile({ type: 'array', items: { type: 'null' }, maxItems: 0 }), '[]'), 'complete');
  });

  it('anyOf and type lists follow every matching option until one is left', () => {
    const nullable = compile({ type: ['string', 'null'] });
    assert.equal(judge(nullable, 'null'), 'complete');
    assert.equal(judge(nullable, '"x"'), 'complete');
    const two = compile({
      anyOf: [
        { type: 'object', properties: { k: { type: 'integer' }, a: { type: 'null' } }, required: ['k', 'a'], additionalProperties: false },
        { type: 'object', properties: { k: { type: 'integer' }, b: { type: 'boolean' } }, required: ['k', 'b'], additionalProperties: false },
      ],
    });
    assert.equal(stateAfter(two, '{"k":1').length, 2, 'both options alive');
    assert.equal(allowedText(two, '{"k":1,"'), 'ab');
    assert.equal(judge(two, '{"k":1,"b":true}'), 'complete');
    assert.equal(judge(two, '{"k":1,"a":true'), 11);
    const sameTwice = compile({ type: 'array', items: { anyOf: [{ type: 'integer' }, { type: 'number' }] } });
    assert.ok(stateAfter(sameTwice, '[1,2,3,4,5,6,7,8').length <= 2, 'converged alternatives are merged, not multiplied');
  });

  it('$ref resolves local $defs', () => {
    const c = compile({ type: 'object', properties: { a: { $ref: '#/$defs/p' }, b: { $ref: '#/$defs/p' } }, required: ['a', 'b'], additionalProperties: false, $defs: { p: { type: 'integer' } } });
    assert.equal(judge(c, '{"a":1,"b":2}'), 'complete');
    assert.equal(judge(c, '{"a":"x"'), 5);
  });

  it('json_object is any object, nested values free', () => {
    const c = compileJsonConstraint({ type: 'json_object' });
    assert.equal(judge(c, '{}'), 'complete');
    assert.equal(judge(c, '{"a":[1,{"b":null},"x",-2.5e3,true],"a":{}}'), 'complete');
    assert.equal(judge(c, '[]'), 0, 'the top level is an object');
    assert.equal(judge(c, '{"a"}'), 4);
    assert.equal(judge(c, '{"a":1,}'), 7);
    assert.equal(judge(c, '{a:1}'), 1);
  });

  it('a value of any type starts with exactly the first bytes of its options', () => {
    assert.deepEqual(ANY.first.ids, ANY.options.reduce((m, o) => m.union(o.first), ANY.options[0].first).ids);
    assert.equal(judge(compile({}), '[{"a":[]},"x",-1,true,null]'), 'complete');
  });

  it('states are values: stepping one never changes it', () => {
    const c = compile(OBJ);
    const s = stateAfter(c, '{"label":"pos","n":4');
    const before = c.allowedTokens(s).slice();
    const a = c.step(s, 0x35);
    const b = c.step(s, 0x2c);
    assert.ok(a && b);
    assert.deepEqual(c.allowedTokens(s), before);
    assert.deepEqual(c.allowedBytes(c.step(s, 0x35)!).ids, c.allowedBytes(a).ids);
  });

  describe('refuses what it cannot enforce, naming the keyword and its path', () => {
    const cases: [JsonSchema, RegExp][] = [
      [{ type: 'object', properties: { x: { type: 'string', pattern: '^a' } } }, /^response_format\.json_schema\.schema\.properties\.x: keyword `pattern` is not supported by the embedded model's constrained decoding; supported: type, /],
      [{ type: 'string', format: 'date' }, /^response_format\.json_schema\.schema: keyword `format`/],
      [{ oneOf: [{ type: 'string' }] }, /schema: keyword `oneOf`/],
      [{ allOf: [{ type: 'string' }] }, /schema: keyword `allOf`/],
      [{ if: {}, then: {} }, /schema: keyword `if`/],
      [{ type: 'object', patternProperties: {} }, /keyword `patternProperties`/],
      [{ type: 'array', items: { type: 'number', minimum: 0 } }, /schema\.items: keyword `minimum`/],
      [{ type: 'object', properties: { 'a b': { anyOf: [{ type: 'string', format: 'email' }] } } }, /schema\.properties\["a b"\]\.anyOf\[0\]: keyword `format`/],
      [{ $defs: { n: { type: 'object', properties: { c: { $ref: '#/$defs/n' } } } }, $ref: '#/$defs/n' }, /schema\.\$defs\.n\.properties\.c\.\$ref: recursive reference "#\/\$defs\/n"/],
      [{ $ref: 'https://example.com/s.json' }, /only local references/],
      [{ $ref: '#/$defs/missing' }, /does not name an entry/],
      [{ type: 'object', properties: { a: { type: 'string' } }, required: ['b'] }, /required: "b" is not a declared property/],
      [{ type: 'integer', enum: [1, 2.5] }, /schema\.enum\[1\]: 2\.5 does not match type "integer"/],
      [{ enum: [{ a: 1 }] }, /enum\[0\]: only scalar values/],
      [{ enum: [] }, /enum: must be a non-empty array/],
      [{ type: 'array', minItems: 3, maxItems: 1 }, /minItems 3 exceeds maxItems 1/],
      [{ type: 'array', items: [{ type: 'string' }] }, /tuple form/],
      [{ type: 'date' }, /type: unknown type "date"/],
      [{ type: 'string', anyOf: [{ type: 'string' }] }, /`type` alongside `anyOf`/],
      [{ type: 'string', maxLength: -1 }, /maxLength: must be a non-negative integer/],
    ];
    for (const [schema, message] of cases) {
      it(JSON.stringify(schema), () => assert.throws(() => compile(schema), (e: Error) => e instanceof Error && message.test(e.message)));
    }
    it('a malformed response_format', () => {
      assert.throws(() => compileJsonConstraint({ type: 'xml' } as unknown as ResponseFormat), /type must be "json_object" or "json_schema"/);
      assert.throws(() => compileJsonConstraint({ type: 'json_schema', name: 'x' } as unknown as ResponseFormat), /schema: must be a JSON Schema object/);
    });
  });
});
