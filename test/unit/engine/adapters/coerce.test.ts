import { strict as assert } from 'node:assert';
import { coerceJsonValue, coerceText, renderValue, stripFence } from '../../../../src/engine/adapters/coerce';
import type { FieldType } from '../../../../src/engine/program/fieldTypes';

const INT: FieldType = { kind: 'number', integer: true };
const FLOAT: FieldType = { kind: 'number' };
const BOOL: FieldType = { kind: 'boolean' };
const LIT: FieldType = { kind: 'literal', values: ['card', 'transfer', 3, true] };

function value(t: FieldType, text: string): unknown {
  const r = coerceText(t, text);
  assert.ok(r.ok, `expected ${JSON.stringify(text)} to coerce, got ${r.ok ? '' : r.reason}`);
  return r.value;
}

function reason(t: FieldType, text: string): string {
  const r = coerceText(t, text);
  assert.ok(!r.ok, `expected ${JSON.stringify(text)} to fail`);
  return r.reason;
}

describe('coerceText', () => {
  it('trims strings', () => {
    assert.equal(value({ kind: 'string' }, '  hi there \n'), 'hi there');
  });

  it('reads numbers and integers', () => {
    assert.equal(value(INT, ' 42 '), 42);
    assert.equal(value(INT, '-7'), -7);
    assert.equal(value(INT, '1,000'), 1000);
    assert.equal(value(FLOAT, '2.5e3'), 2500);
    assert.equal(value(FLOAT, '"3.25"'), 3.25);
    assert.match(reason(INT, '2.5'), /not an integer/);
    assert.match(reason(FLOAT, 'abc'), /"abc" is not a number/);
    assert.match(reason(FLOAT, ''), /not a number/);
    assert.match(reason(FLOAT, 'Infinity'), /not a number/);
  });

  it('reads booleans', () => {
    for (const t of ['true', 'True', 'YES', 'yes']) assert.equal(value(BOOL, t), true);
    for (const t of ['false', 'No', "'false'"]) assert.equal(value(BOOL, t), false);
    assert.match(reason(BOOL, 'maybe'), /not a boolean/);
  });

  it('matches literals exactly, then loosely, and keeps the value type', () => {
    assert.equal(value(LIT, 'card'), 'card');
    assert.equal(value(LIT, 'Transfer'), 'transfer');
    assert.equal(value(LIT, "'card'"), 'card');
    assert.equal(value(LIT, '`transfer`.'), 'transfer');
    assert.equal(value(LIT, '3'), 3);
    assert.equal(value(LIT, 'TRUE'), true);
    assert.equal(reason(LIT, 'blue'), `"blue" is not one of 'card', 'transfer', 3, True`);
  });

  it('reads lists from JSON arrays, fences and bullet or numbered lines', () => {
    const L: FieldType = { kind: 'list', items: INT };
    assert.deepEqual(value(L, '[1, 2, 3]'), [1, 2, 3]);
    assert.deepEqual(value(L, '```json\n[4, "5"]\n```'), [4, 5]);
    assert.deepEqual(value(L, '- 1\n- 2\n\n* 3'), [1, 2, 3]);
    assert.deepEqual(value({ kind: 'list', items: { kind: 'string' } }, '1. alpha beta\n2) gamma'), ['alpha beta', 'gamma']);
    assert.deepEqual(value(L, '[]'), []);
    assert.match(reason(L, '[1, 2'), /not valid JSON/);
    assert.match(reason(L, '- 1\n- x'), /item 1: "x" is not a number/);
    assert.match(reason(L, 'just text'), /is not a list/);
  });

  it('reads JSON objects, fenced or not', () => {
    assert.deepEqual(value({ kind: 'json' }, '{"a": [1, {"b": null}]}'), { a: [1, { b: null }] });
    assert.deepEqual(value({ kind: 'json' }, '```json\n{"a": 1}\n```'), { a: 1 });
    assert.match(reason({ kind: 'json' }, '[1]'), /expected a JSON object/);
    assert.match(reason({ kind: 'json' }, '{a: 1}'), /not valid JSON/);
  });
});

describe('coerceJsonValue', () => {
  it('accepts already-typed values and strings of them', () => {
    assert.equal((coerceJsonValue(INT, 5) as { value: unknown }).value, 5);
    assert.equal((coerceJsonValue(INT, '5') as { value: unknown }).value, 5);
    assert.equal((coerceJsonValue(BOOL, false) as { value: unknown }).value, false);
    assert.equal((coerceJsonValue(LIT, 3) as { value: unknown }).value, 3);
    assert.equal((coerceJsonValue({ kind: 'string' }, 12) as { value: unknown }).value, '12');
    assert.equal(coerceJsonValue(INT, 1.5).ok, false);
    assert.equal(coerceJsonValue(BOOL, 1).ok, false);
    assert.equal(coerceJsonValue({ kind: 'string' }, null).ok, false);
    assert.equal(coerceJsonValue({ kind: 'list', items: INT }, { a: 1 }).ok, false);
  });
});

describe('renderValue / stripFence', () => {
  it('renders values so they coerce back', () => {
    assert.equal(renderValue({ kind: 'string' }, 'x'), 'x');
    assert.equal(renderValue({ kind: 'list', items: INT }, [1, 2]), '[1,2]');
    assert.equal(renderValue({ kind: 'json' }, { a: 1 }), '{\n  "a": 1\n}');
    assert.equal(renderValue(BOOL, true), 'true');
    assert.equal(renderValue(undefined, { a: 1 }), '{"a":1}');
  });

  it('strips one fence', () => {
    assert.equal(stripFence('```\nabc\n```'), 'abc');
    assert.equal(stripFence('  plain  '), 'plain');
  });
});
