import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ChatAdapter, formatAnswer } from '../../../../src/engine/adapters/chatAdapter';
import { AdapterParseError } from '../../../../src/engine/adapters/errors';
import { JSONAdapter } from '../../../../src/engine/adapters/jsonAdapter';
import type { Adapter } from '../../../../src/engine/adapters/types';
import type { FieldSpec, FieldType, LiteralValue } from '../../../../src/engine/program/fieldTypes';
import { Signature } from '../../../../src/engine/program/signature';

// Fixed seeds keep failures reproducible across machines; 150 runs keep the suite fast.
const PARAMS = { seed: 20250801, numRuns: 150 };

const MARKER = /\[\[\s*##\s*\w+\s*##\s*\]\]/;
const noMarker = (s: string): boolean => !MARKER.test(s);

const identArb = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);

const literalArb: fc.Arbitrary<FieldType> = fc
  .uniqueArray(
    fc.oneof(
      fc.string({ minLength: 1, maxLength: 12 }).map((s) => s.trim()).filter((s) => s !== '' && noMarker(s)),
      fc.integer({ min: -1000, max: 1000 }),
      fc.boolean(),
    ),
    { minLength: 1, maxLength: 5, selector: (v) => String(v).toLowerCase() },
  )
  .map((values) => ({ kind: 'literal', values }));

const scalarTypeArb: fc.Arbitrary<FieldType> = fc.oneof(
  fc.constant<FieldType>({ kind: 'string' }),
  fc.constant<FieldType>({ kind: 'number', integer: true }),
  fc.constant<FieldType>({ kind: 'number' }),
  fc.constant<FieldType>({ kind: 'boolean' }),
  literalArb,
);

const typeArb: fc.Arbitrary<FieldType> = fc.oneof(
  scalarTypeArb,
  scalarTypeArb.map((items): FieldType => ({ kind: 'list', items })),
  fc.constant<FieldType>({ kind: 'json' }),
);

/** Values that a model could legitimately write for this type (strings are trimmed for the chat format). */
function valueArb(t: FieldType, trimmed: boolean): fc.Arbitrary<unknown> {
  switch (t.kind) {
    case 'string':
      return fc.string({ maxLength: 40 }).map((s) => (trimmed ? s.trim() : s)).filter(noMarker);
    case 'number':
      return t.integer ? fc.integer() : fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constantFrom(...(t.values as LiteralValue[]));
    case 'list':
      return fc.array(valueArb(t.items, false), { maxLength: 4 }).filter((a) => noMarker(JSON.stringify(a)));
    case 'json':
      return fc
        .dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
        .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
        .filter((v) => noMarker(JSON.stringify(v)));
  }
}

const signatureArb = fc
  .uniqueArray(identArb.filter((n) => n !== 'completed'), { minLength: 2, maxLength: 6 })
  .chain((names) => {
    const split = Math.max(1, Math.floor(names.length / 3));
    return fc.array(typeArb, { minLength: names.length - split, maxLength: names.length - split }).map((types) => {
      const inputs: FieldSpec[] = names.slice(0, split).map((name) => ({ name, type: { kind: 'string' } }));
      const outputs: FieldSpec[] = names.slice(split).map((name, i) => ({ name, type: types[i] }));
      return new Signature(inputs, outputs);
    });
  });

function outputsArb(sig: Signature, trimmed: boolean): fc.Arbitrary<Record<string, unknown>> {
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of sig.outputFields) rec[f.name] = valueArb(f.type, trimmed);
  return fc.record(rec).map((r) => ({ ...r }));
}

function onlyParseErrors(adapter: Adapter, sig: Signature, text: string): void {
  try {
    adapter.parse(sig, text);
  } catch (e) {
    if (!(e instanceof AdapterParseError)) throw e;
    assert.ok(e.info.fractionParsed >= 0 && e.info.fractionParsed < 1);
    assert.equal(e.info.parsedFields.length + e.info.missingFields.length, sig.outputFields.length);
  }
}

describe('adapter properties', () => {
  it('signature toString round-trips through the parser', () => {
    fc.assert(
      fc.property(signatureArb, (sig) => {
        assert.equal(Signature.parse(sig.toString()).toString(), sig.toString());
        assert.deepEqual(Signature.parse(sig.toString()).outputFields, sig.outputFields);
      }),
      PARAMS,
    );
  });

  it('chat: formatAnswer -> parse returns the typed outputs', () => {
    const adapter = new ChatAdapter();
    fc.assert(
      fc.property(signatureArb.chain((sig) => fc.tuple(fc.constant(sig), outputsArb(sig, true))), ([sig, outputs]) => {
        assert.deepEqual(adapter.parse(sig, formatAnswer(sig, outputs)), outputs);
      }),
      PARAMS,
    );
  });

  it('chat choice mode: bare answers round-trip', () => {
    const adapter = new ChatAdapter({ guidedChoice: true });
    const arb = literalArb.chain((type) => {
      const sig = new Signature([{ name: 'x', type: { kind: 'string' } }], [{ name: 'label', type }]);
      return fc.tuple(fc.constant(sig), outputsArb(sig, true));
    });
    fc.assert(
      fc.property(arb, ([sig, outputs]) => {
        const prompt = adapter.format({ signature: sig, instructions: 'i', demos: [], inputs: { x: 'v' } });
        assert.equal(prompt.choiceMode, true);
        assert.deepEqual(adapter.parse(sig, adapter.formatAnswer(sig, outputs), prompt), outputs);
      }),
      PARAMS,
    );
  });

  it('json: formatAnswer -> parse returns the typed outputs', () => {
    const adapter = new JSONAdapter();
    fc.assert(
      fc.property(signatureArb.chain((sig) => fc.tuple(fc.constant(sig), outputsArb(sig, false))), ([sig, outputs]) => {
        assert.deepEqual(adapter.parse(sig, adapter.formatAnswer(sig, outputs)), outputs);
      }),
      PARAMS,
    );
  });

  it('parse throws nothing but AdapterParseError on arbitrary text and marker soup', () => {
    const adapters: Adapter[] = [new ChatAdapter(), new ChatAdapter({ guidedChoice: true }), new JSONAdapter()];
    const soupArb = signatureArb.chain((sig) => {
      const pieces = [...sig.outputNames, 'completed', 'other'].map((n) => `[[ ## ${n} ## ]]`);
      const tokenArb = fc.oneof(
        fc.constantFrom(...pieces, '{', '}', '"', '[', ']', '```', '```json\n', '- ', '1. ', '\n', ':', ',', 'true', '-0', 'null', '\\'),
        fc.string({ maxLength: 8 }),
      );
      return fc.tuple(fc.constant(sig), fc.array(tokenArb, { maxLength: 30 }).map((t) => t.join('')));
    });
    fc.assert(
      fc.property(soupArb, ([sig, text]) => {
        for (const a of adapters) onlyParseErrors(a, sig, text);
      }),
      { ...PARAMS, numRuns: 300 },
    );
    fc.assert(
      fc.property(signatureArb, fc.string({ maxLength: 200 }), (sig, text) => {
        for (const a of adapters) onlyParseErrors(a, sig, text);
      }),
      PARAMS,
    );
  });
});
