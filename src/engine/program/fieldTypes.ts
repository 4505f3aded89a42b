import { SignatureError } from './signatureError';

export type LiteralValue = string | number | boolean;

/** The type of one signature field; drives prompt rendering and output coercion. */
export type FieldType =
  | { kind: 'string' }
  | { kind: 'number'; integer?: boolean }
  | { kind: 'boolean' }
  | { kind: 'list'; items: FieldType }
  | { kind: 'literal'; values: LiteralValue[] }
  | { kind: 'json' };

/** Short names accepted in the object form of a signature. */
export type SimpleTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'json';

export type FieldTypeInput = SimpleTypeName | FieldType;

export interface FieldSpec {
  name: string;
  type: FieldType;
  description?: string;
}

const SIMPLE: Record<SimpleTypeName, FieldType> = {
  string: { kind: 'string' },
  number: { kind: 'number' },
  integer: { kind: 'number', integer: true },
  boolean: { kind: 'boolean' },
  json: { kind: 'json' },
};

const KNOWN_KINDS = "'string', 'number', 'integer', 'boolean', 'json' or {kind: 'string'|'number'|'boolean'|'list'|'literal'|'json'}";

/** Validates and copies a type given in the object form; `where` names the field for errors. */
export function normalizeFieldType(input: unknown, where: string): FieldType {
  if (input === undefined) return { kind: 'string' };
  if (typeof input === 'string') {
    const simple = (SIMPLE as Record<string, FieldType | undefined>)[input];
    if (!simple) throw new SignatureError(`${where} has unknown type "${input}"; use ${KNOWN_KINDS}`);
    return { ...simple };
  }
  if (typeof input !== 'object' || input === null) {
    throw new SignatureError(`${where} has a type that is not a string or object; use ${KNOWN_KINDS}`);
  }
  return normalizeStructured(input as Record<string, unknown>, where);
}

function normalizeStructured(t: Record<string, unknown>, where: string): FieldType {
  switch (t.kind) {
    case 'string':
    case 'boolean':
    case 'json':
      return { kind: t.kind };
    case 'number':
      return t.integer ? { kind: 'number', integer: true } : { kind: 'number' };
    case 'list':
      return { kind: 'list', items: normalizeFieldType(t.items ?? 'string', `${where} (list items)`) };
    case 'literal':
      return { kind: 'literal', values: checkLiteralValues(t.values, where) };
    default:
      throw new SignatureError(`${where} has unknown type kind ${JSON.stringify(t.kind)}; use ${KNOWN_KINDS}`);
  }
}

function checkLiteralValues(values: unknown, where: string): LiteralValue[] {
  if (!Array.isArray(values) || values.length === 0) {
    throw new SignatureError(`${where} is a literal type without values; give values: ['a', 'b']`);
  }
  for (const v of values) {
    const ok = typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    if (!ok) throw new SignatureError(`${where} has literal value ${String(v)}; only strings, finite numbers and booleans are allowed`);
  }
  return [...(values as LiteralValue[])];
}

/** Renders a literal value the way the string form writes it (Python style). */
export function formatLiteralValue(v: LiteralValue): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** Canonical type name of the string form: `str`, `list[int]`, `Literal['a', 'b']`, `dict`. */
export function formatFieldType(t: FieldType): string {
  switch (t.kind) {
    case 'string':
      return 'str';
    case 'number':
      return t.integer ? 'int' : 'float';
    case 'boolean':
      return 'bool';
    case 'list':
      return `list[${formatFieldType(t.items)}]`;
    case 'literal':
      return `Literal[${t.values.map(formatLiteralValue).join(', ')}]`;
    case 'json':
      return 'dict';
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isIdentifier(name: string): boolean {
  return IDENT.test(name);
}

/** Names that would collide with object internals when used as output keys. */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
