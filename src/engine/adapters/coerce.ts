import { type FieldType, formatLiteralValue, type LiteralValue } from '../program/fieldTypes';

export type Coerced = { ok: true; value: unknown } | { ok: false; reason: string };

const ok = (value: unknown): Coerced => ({ ok: true, value });
const bad = (reason: string): Coerced => ({ ok: false, reason });

/** Quotes a piece of model output for an error message, shortened so messages stay readable. */
export function quote(text: string, max = 60): string {
  const t = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.stringify(t);
}

/** Removes one surrounding ``` fence (with optional language tag), if present. */
export function stripFence(text: string): string {
  const m = /^```[A-Za-z0-9_-]*[ \t]*\r?\n?([\s\S]*?)\r?\n?```$/.exec(text.trim());
  return m ? m[1].trim() : text.trim();
}

/** Coerces the text of one field, as written by the model, to the field's type. */
export function coerceText(type: FieldType, raw: string): Coerced {
  const text = raw.trim();
  switch (type.kind) {
    case 'string':
      return ok(text);
    case 'number':
      return coerceNumber(text, type.integer === true);
    case 'boolean':
      return coerceBoolean(text);
    case 'literal':
      return coerceLiteral(type.values, text);
    case 'list':
      return coerceList(type.items, text);
    case 'json':
      return coerceJsonText(text);
  }
}

function coerceNumber(text: string, integer: boolean): Coerced {
  const cleaned = unquote(text).replace(/[,_](?=\d{3}\b)/g, '');
  const n = cleaned === '' ? NaN : Number(cleaned);
  if (!Number.isFinite(n)) return bad(`${quote(text)} is not a number`);
  if (integer && !Number.isInteger(n)) return bad(`${quote(text)} is not an integer`);
  return ok(n);
}

function coerceBoolean(text: string): Coerced {
  const t = unquote(text).toLowerCase();
  if (t === 'true' || t === 'yes') return ok(true);
  if (t === 'false' || t === 'no') return ok(false);
  return bad(`${quote(text)} is not a boolean (true/false/yes/no)`);
}

function unquote(text: string): string {
  const m = /^(["'`])([\s\S]*)\1$/.exec(text.trim());
  return (m ? m[2] : text).trim();
}

function coerceLiteral(values: LiteralValue[], text: string): Coerced {
  const exact = values.find((v) => String(v) === text);
  if (exact !== undefined) return ok(exact);
  const loose = unquote(text.replace(/\.$/, '')).toLowerCase();
  const found = values.find((v) => String(v).toLowerCase() === loose);
  if (found !== undefined) return ok(found);
  return bad(`${quote(text)} is not one of ${values.map(formatLiteralValue).join(', ')}`);
}

const BULLET = /^\s*(?:[-*\u2022]|\d+[.)])\s+/;

function coerceList(items: FieldType, text: string): Coerced {
  const body = stripFence(text);
  if (body.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      return bad(`looks like a JSON array but is not valid JSON (${(e as Error).message})`);
    }
    return coerceJsonValue({ kind: 'list', items }, parsed);
  }
  const lines = body.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0 || !lines.every((l) => BULLET.test(l))) {
    return bad(`${quote(text)} is not a list (write a JSON array or one "- item" per line)`);
  }
  const out: unknown[] = [];
  for (const [i, line] of lines.entries()) {
    const r = coerceText(items, line.replace(BULLET, ''));
    if (!r.ok) return bad(`item ${i}: ${r.reason}`);
    out.push(r.value);
  }
  return ok(out);
}

function coerceJsonText(text: string): Coerced {
  const body = stripFence(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    return bad(`${quote(text)} is not valid JSON (${(e as Error).message})`);
  }
  return coerceJsonValue({ kind: 'json' }, parsed);
}

function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Coerces an already-parsed JSON value (JSON adapter, list items) to the field's type. */
export function coerceJsonValue(type: FieldType, value: unknown): Coerced {
  switch (type.kind) {
    case 'string':
      if (typeof value === 'string') return ok(value);
      return value === null ? bad('is null, expected a string') : ok(typeof value === 'object' ? JSON.stringify(value) : String(value));
    case 'number':
    case 'boolean':
    case 'literal':
      if (typeof value === 'string') return coerceText(type, value);
      if (type.kind === 'literal') return coerceLiteral(type.values, typeof value === 'object' ? JSON.stringify(value) : String(value));
      if (typeof value === 'number' && type.kind === 'number') return coerceNumber(String(value), type.integer === true);
      if (typeof value === 'boolean' && type.kind === 'boolean') return ok(value);
      return bad(`${quote(JSON.stringify(value) ?? String(value))} is not a ${type.kind}`);
    case 'list':
      return coerceJsonList(type.items, value);
    case 'json':
      if (isJsonObject(value)) return ok(value);
      return bad(`expected a JSON object, got ${quote(JSON.stringify(value) ?? String(value))}`);
  }
}

function coerceJsonList(items: FieldType, value: unknown): Coerced {
  if (typeof value === 'string') return coerceList(items, value);
  if (!Array.isArray(value)) return bad(`expected a list, got ${quote(JSON.stringify(value) ?? String(value))}`);
  const out: unknown[] = [];
  for (const [i, item] of value.entries()) {
    const r = coerceJsonValue(items, item);
    if (!r.ok) return bad(`item ${i}: ${r.reason}`);
    out.push(r.value);
  }
  return ok(out);
}

/** Renders a value into prompt text so that coerceText(type, rendered) gives it back. */
export function renderValue(type: FieldType | undefined, value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  if (type?.kind === 'json' || type?.kind === 'list' || typeof value === 'object') {
    return JSON.stringify(value, null, type?.kind === 'json' ? 2 : undefined) ?? String(value);
  }
  return String(value);
}
