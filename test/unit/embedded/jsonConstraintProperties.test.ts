import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { JsonSchema } from '../../../src/embedded/backend';
import { compileJsonConstraint, type JsonConstraint, type JsonState } from '../../../src/embedded/jsonConstraint';
import { Rng } from '../../../src/embedded/rng';
import { SPECIAL } from '../../../src/embedded/tokenizer';
import { parseJsonBytes, schemaViolation } from './jsonConstraintOracle';

// Fixed seed: failures reproduce on every machine.
const PARAMS = { seed: 20250917, numRuns: 150 };
const enc = new TextEncoder();

// ---- schemas in the supported subset ---------------------------------------

/** Wraps a subschema that the generator later hoists into root $defs behind a $ref. */
interface RefMarker { refTo: Schema }
type Schema = Record<string, unknown>;

/** Characters that exercise escapes, control characters and 1- to 4-byte UTF-8, plus any code point. */
const charArb = fc.oneof(fc.constantFrom('a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u00e9', '\u20ac', '\u{1f600}'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const textArb = (minLength: number, maxLength: number) => fc.string({ unit: charArb, minLength, maxLength });
const keyArb = textArb(0, 5).filter((k) => k !== '__proto__' && k !== 'refTo');
const scalarArb = fc.oneof(textArb(0, 4), fc.integer({ min: -50, max: 50 }), fc.constantFrom(true, false, null, 1.5, 12, 120));

const stringSchemaArb = fc.tuple(fc.option(fc.nat(3)), fc.option(fc.nat(6))).map(([min, extra]) => {
  const s: Schema = { type: 'string' };
  if (min !== null) s.minLength = min;
  if (extra !== null) s.maxLength = (min ?? 0) + extra;
  return s;
});

const leafArb: fc.Arbitrary<Schema> = fc.oneof(
  stringSchemaArb,
  fc.constantFrom<Schema>({ type: 'number' }, { type: 'integer' }, { type: 'boolean' }, { type: 'null' }, { type: ['integer', 'null'] }, {}, { type: 'object' }),
  fc.uniqueArray(scalarArb, { minLength: 1, maxLength: 4, selector: (v) => JSON.stringify(v) }).map((e) => ({ enum: e, description: 'an enum' })),
  scalarArb.map((c) => ({ const: c })),
  stringSchemaArb.map((s) => ({ ...s, type: ['string', 'null'] })),
);

const { schema: schemaArb } = fc.letrec<{ schema: Schema }>((tie) => ({
  schema: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'schema' },
    leafArb,
    fc.tuple(fc.uniqueArray(fc.tuple(keyArb, tie('schema')), { maxLength: 4, selector: (t) => t[0] }), fc.boolean()).map(([entries, strict]) => {
      const properties = Object.fromEntries(entries);
      return strict ? { type: 'object', properties, required: Object.keys(properties), additionalProperties: false } : { type: 'object', properties };
    }),
    fc.tuple(tie('schema'), fc.option(fc.nat(2)), fc.option(fc.nat(3))).map(([items, min, extra]) => {
      const s: Schema = { type: 'array', items };
      if (min !== null) s.minItems = min;
      if (extra !== null) s.maxItems = (min ?? 0) + extra;
      return s;
    }),
    fc.tuple(tie('schema'), tie('schema')).map(([a, b]) => ({ anyOf: [a, b] })),
    tie('schema').map((s) => ({ refTo: s }) as unknown as Schema),
  ),
}));

/** Replace ref markers by $refs into the root's $defs (shared defs, never recursive). */
function hoistRefs(root: Schema): Schema {
  const defs: Record<string, unknown> = {};
  const walk = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(walk);
    if (s === null || typeof s !== 'object') return s;
    if ('refTo' in s) {
      const name = `d${Object.keys(defs).length}`;
      defs[name] = {};
      defs[name] = walk((s as RefMarker).refTo);
      return { $ref: `#/$defs/${name}` };
    }
    const out: Schema = {};
    for (const [k, v] of Object.entries(s)) out[k] = k === 'enum' || k === 'const' || k === 'required' ? v : walk(v);
    return out;
  };
  const out = walk(root) as Schema;
  return Object.keys(defs).length > 0 ? { ...out, $defs: defs } : out;
}

const rootSchemaArb = schemaArb.map(hoistRefs);

// ---- values valid under a schema (in the grammar's canonical form) ---------

/** Numbers whose compact serialization fits the automaton's digit bounds (15 integer, 15 fraction, 2 exponent digits). */
function fitsDigitBounds(x: number): boolean {
  const m = /^-?(\d+)(?:\.(\d+))?(?:e[+-]?(\d+))?$/.exec(JSON.stringify(x));
  return m !== null && m[1].length <= 15 && (m[2] ?? '').length <= 15 && (m[3] ?? '').length <= 2;
}

const integerArb = fc.oneof(fc.integer(), fc.double({ min: -(1e15 - 1), max: 1e15 - 1, noNaN: true }).map(Math.trunc));
const numberArb = fc.oneof(
  integerArb,
  fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -30, max: 30 })).map(([m, e]) => m * 10 ** e),
  fc.constantFrom(1e21, -2.5e-7, 0.1, 1e99),
).filter(fitsDigitBounds);

const { value: anyValueArb } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 2, depthIdentifier: 'any' },
    fc.oneof(textArb(0, 6), numberArb, fc.constantFrom(true, false, null)),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.uniqueArray(fc.tuple(keyArb, tie('value')), { maxLength: 3, selector: (t) => t[0] }).map((e) => Object.fromEntries(e)),
  ),
}));

function valueArb(s: Schema, root: Schema): fc.Arbitrary<unknown> {
  if (typeof s.$ref === 'string') return valueArb((root.$defs as Record<string, Schema>)[s.$ref.slice('#/$defs/'.length)], root);
  if (Array.isArray(s.anyOf)) return fc.oneof(...s.anyOf.map((o) => valueArb(o as Schema, root)));
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((t) => valueArb({ ...s, type: t }, root)));
  switch (s.type) {
    case 'string': return textArb((s.minLength as number) ?? 0, (s.maxLength as number) ?? 8);
    case 'number': return numberArb;
    case 'integer': return integerArb;
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': {
      const min = (s.minItems as number) ?? 0;
      return fc.array(valueArb(s.items as Schema, root), { minLength: min, maxLength: Math.min((s.maxItems as number) ?? Infinity, min + 3) });
    }
    case 'object': {
      const props = s.properties as Record<string, Schema> | undefined;
      if (!props) return anyValueArb.filter((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
      const keys = Object.keys(props); // the automaton's key order, too: both follow the schema object's own order
      return fc.tuple(...keys.map((k) => valueArb(props[k], root))).map((vals) => Object.fromEntries(keys.map((k, i) => [k, vals[i]])));
    }
    default: return anyValueArb;
  }
}

const schemaAndValueArb = rootSchemaArb.chain((schema) => valueArb(schema, schema).map((value) => ({ schema, value })));

// ---- driving the automaton --------------------------------------------------

const constraintFor = (schema: Schema): JsonConstraint => compileJsonConstraint({ type: 'json_schema', name: 't', schema: schema as JsonSchema });

/** Feed bytes; the index of the first refused byte, or the final state. */
function feed(c: JsonConstraint, bytes: Uint8Array): { refusedAt: number } | { state: JsonState } {
  let s = c.start;
  for (let i = 0; i < bytes.length; i++) {
    const next = c.step(s, bytes[i]);
    if (!next) return { refusedAt: i };
    s = next;
  }
  return { state: s };
}

/** The mask is exact: a byte is in it iff stepping by it succeeds. */
function assertMaskAgrees(c: JsonConstraint, s: JsonState, where: string): void {
  const mask = c.allowedBytes(s);
  for (let b = 0; b < 256; b++) assert.equal(mask.has(b), c.step(s, b) !== undefined, `${where}: byte ${b}`);
}

const PREFERRED = new Set([SPECIAL.endOfTurn, 0x22, 0x5d, 0x7d]); // end, `"`, `]`, `}`: make walks finish
const TRICKY = new Set(Array.from('\\.eE-0', (ch) => ch.charCodeAt(0))); // escapes and number parts: rare under uniform picks

/** Sample a random path through the automaton; the bytes, and whether it chose to end. */
function randomWalk(c: JsonConstraint, seed: number, maxSteps: number): { bytes: Uint8Array; ended: boolean } {
  const rng = new Rng(seed);
  const out: number[] = [];
  let s = c.start;
  for (let step = 0; step < maxSteps; step++) {
    const tokens = c.allowedTokens(s);
    assert.ok(tokens.length > 0, `dead end after ${JSON.stringify(Buffer.from(out).toString('latin1'))}`);
    if (step % 7 === 0) assertMaskAgrees(c, s, `after ${out.length} bytes`);
    const u = rng.next();
    const preferred = tokens.filter((t) => (u < 0.5 ? PREFERRED : TRICKY).has(t));
    const pool = preferred.length > 0 && u < 0.7 ? preferred : tokens;
    const t = pool[rng.int(pool.length)];
    if (t === SPECIAL.endOfTurn) return { bytes: Uint8Array.from(out), ended: true };
    s = c.step(s, t)!;
    out.push(t);
  }
  return { bytes: Uint8Array.from(out), ended: false };
}

const CLOSERS = [SPECIAL.endOfTurn, 0x22, 0x5d, 0x7d];

/** Finish the document from `s` the short way (end, close, else the lowest allowed byte); undefined if that takes too long. */
function complete(c: JsonConstraint, s: JsonState, prefix: number[]): Uint8Array | undefined {
  const out = [...prefix];
  for (let i = 0; i < 400; i++) {
    const tokens = c.allowedTokens(s);
    const t = CLOSERS.find((x) => tokens.includes(x)) ?? tokens[0];
    if (t === SPECIAL.endOfTurn) return Uint8Array.from(out);
    s = c.step(s, t)!;
    out.push(t);
  }
  return undefined;
}

/** Any byte, often one that matters to JSON: structure, escapes, number parts, whitespace, bad UTF-8. */
const byteArb = fc.oneof(fc.nat(255), fc.constantFrom(...Array.from('"\\x/u,:}]{[0-9.eE+- nt', (ch) => ch.charCodeAt(0)), 0x00, 0x1f, 0x80, 0xc0, 0xed, 0xf5));

describe('JSON constraint: properties', function () {
  this.timeout(120_000);

  it('every schema in the subset compiles', () => {
    fc.assert(fc.property(rootSchemaArb, (schema) => void constraintFor(schema)), PARAMS);
  });

  it('the compact serialization of any valid value is accepted byte by byte and ends complete', () => {
    fc.assert(fc.property(schemaAndValueArb, ({ schema, value }) => {
      assert.equal(schemaViolation(value, schema), null, 'generator and oracle disagree');
      const c = constraintFor(schema);
      const text = JSON.stringify(value);
      const r = feed(c, enc.encode(text));
      assert.ok('state' in r, `refused byte ${'refusedAt' in r ? r.refusedAt : ''} of ${text}`);
      assert.ok(c.isComplete(r.state), `incomplete after ${text}`);
      assert.ok(c.allowedTokens(r.state).includes(SPECIAL.endOfTurn));
    }), PARAMS);
  });

  it('random walks never dead-end, the mask matches stepping, and every finished walk parses and validates', () => {
    let ended = 0;
    fc.assert(fc.property(rootSchemaArb, fc.integer(), (schema, seed) => {
      const c = constraintFor(schema);
      const walk = randomWalk(c, seed, 200);
      if (!walk.ended) return;
      ended++;
      const parsed = parseJsonBytes(walk.bytes);
      assert.ok(parsed, `not JSON: ${Buffer.from(walk.bytes).toString()}`);
      assert.equal(schemaViolation(parsed.value, schema), null, `${Buffer.from(walk.bytes).toString()} vs ${JSON.stringify(schema)}`);
    }), { ...PARAMS, numRuns: 300 });
    assert.ok(ended >= 150, `only ${ended} of 300 walks finished: the property is nearly vacuous`);
  });

  it('every byte the mask allows, anywhere in a valid document, extends to a document the oracle accepts', () => {
    const arb = schemaAndValueArb.chain(({ schema, value }) => {
      const bytes = enc.encode(JSON.stringify(value));
      return fc.tuple(fc.constant(schema), fc.constant(bytes), fc.uniqueArray(fc.nat(bytes.length), { minLength: 1, maxLength: 3 }));
    });
    fc.assert(fc.property(arb, ([schema, bytes, cuts]) => {
      const c = constraintFor(schema);
      for (const cut of cuts) {
        const prefix = Array.from(bytes.subarray(0, cut));
        const r = feed(c, bytes.subarray(0, cut));
        assert.ok('state' in r);
        for (const b of c.allowedBytes(r.state).ids) {
          const doc = complete(c, c.step(r.state, b)!, [...prefix, b]);
          assert.ok(doc, `no short completion after ${Buffer.from([...prefix, b]).toString()}`);
          const parsed = parseJsonBytes(doc);
          assert.ok(parsed, `allowed byte ${b} led to non-JSON ${Buffer.from(doc).toString()}`);
          assert.equal(schemaViolation(parsed.value, schema), null, `allowed byte ${b} led to ${Buffer.from(doc).toString()} under ${JSON.stringify(schema)}`);
        }
      }
    }), PARAMS);
  });

  it('a one-byte mutation is refused unless the result is still valid under the schema', () => {
    let refused = 0;
    const mutationArb = schemaAndValueArb.chain(({ schema, value }) => {
      const bytes = enc.encode(JSON.stringify(value));
      return fc.tuple(fc.constant(schema), fc.constant(bytes), fc.nat(bytes.length - 1), fc.constantFrom('replace', 'insert', 'delete'), byteArb);
    });
    fc.assert(fc.property(mutationArb, ([schema, bytes, at, how, byte]) => {
      const mutated = how === 'delete' ? Uint8Array.from([...bytes.slice(0, at), ...bytes.slice(at + 1)])
        : Uint8Array.from([...bytes.slice(0, at), byte, ...bytes.slice(how === 'replace' ? at + 1 : at)]);
      const c = constraintFor(schema);
      const r = feed(c, mutated);
      if ('refusedAt' in r) {
        assert.ok(r.refusedAt >= at, 'the untouched prefix was refused');
        refused++;
        return;
      }
      if (!c.isComplete(r.state)) return; // a prefix of something valid: acceptable, as long as it never claims completion
      const parsed = parseJsonBytes(mutated);
      assert.ok(parsed, `accepted non-JSON ${Buffer.from(mutated).toString()}`);
      assert.equal(schemaViolation(parsed.value, schema), null, `accepted ${Buffer.from(mutated).toString()} under ${JSON.stringify(schema)}`);
    }), { ...PARAMS, numRuns: 400 });
    assert.ok(refused >= 200, `only ${refused} of 400 mutations refused`);
  });
});
