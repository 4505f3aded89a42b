import { type FieldSpec, type FieldType, type LiteralValue, isIdentifier, RESERVED_FIELD_NAMES } from './fieldTypes';
import { SignatureError } from './signatureError';

/**
 * Recursive-descent parser for `"question, context: list[str] -> answer"`.
 * Hand-written (not a regex) so every error can point at an exact column.
 */
class Cursor {
  pos = 0;
  constructor(readonly src: string) {}

  skipWs(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
  }
  peek(): string {
    return this.src[this.pos] ?? '';
  }
  startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }
  eof(): boolean {
    return this.pos >= this.src.length;
  }
  fail(reason: string, at = this.pos): never {
    throw new SignatureError(reason, this.src, at);
  }
  /** Reads a run of word characters (possibly not a valid identifier, e.g. `1a`). */
  word(): string {
    const m = /^[A-Za-z0-9_]+/.exec(this.src.slice(this.pos));
    if (!m) return '';
    this.pos += m[0].length;
    return m[0];
  }
  describeHere(): string {
    if (this.eof()) return 'the end of the signature';
    const m = /^\S{1,12}/.exec(this.src.slice(this.pos));
    return `"${m ? m[0] : this.peek()}"`;
  }
}

const TYPE_HELP = 'known types: str, int, float, bool, list[T], Literal[...], dict, json';

export function parseSignatureString(src: string): { inputs: FieldSpec[]; outputs: FieldSpec[] } {
  const c = new Cursor(src);
  const inputs = parseFieldList(c, 'input');
  c.skipWs();
  if (!c.startsWith('->')) c.fail(`missing "->": a signature looks like "question, context -> answer"`);
  c.pos += 2;
  const outputs = parseFieldList(c, 'output');
  c.skipWs();
  if (!c.eof()) c.fail(`expected "," or the end of the signature, got ${c.describeHere()}`);
  return { inputs, outputs };
}

function parseFieldList(c: Cursor, side: 'input' | 'output'): FieldSpec[] {
  const fields: FieldSpec[] = [];
  const seen = new Set<string>();
  for (;;) {
    const at = (c.skipWs(), c.pos);
    const field = parseField(c, side);
    if (seen.has(field.name)) c.fail(`duplicate ${side} field name "${field.name}"`, at);
    seen.add(field.name);
    fields.push(field);
    c.skipWs();
    if (c.peek() !== ',') break;
    c.pos++;
  }
  return fields;
}

function parseField(c: Cursor, side: 'input' | 'output'): FieldSpec {
  c.skipWs();
  const at = c.pos;
  const name = c.word();
  if (!name) c.fail(`expected an ${side} field name, got ${c.describeHere()}`);
  if (!isIdentifier(name)) c.fail(`${side} field name "${name}" is not an identifier (letters, digits, _; not starting with a digit)`, at);
  if (RESERVED_FIELD_NAMES.has(name)) c.fail(`field name "${name}" is reserved; choose another name`, at);
  c.skipWs();
  if (c.peek() === ':') {
    c.pos++;
    return { name, type: parseType(c) };
  }
  const next = c.peek();
  if (next !== ',' && !c.startsWith('->') && !c.eof()) {
    const expected = side === 'input' ? '",", ":" or "->"' : '",", ":" or the end of the signature';
    c.fail(`expected ${expected} after field "${name}", got ${c.describeHere()}`);
  }
  return { name, type: { kind: 'string' } };
}

function parseType(c: Cursor): FieldType {
  c.skipWs();
  const at = c.pos;
  const name = c.word();
  if (!name) c.fail(`expected a type name, got ${c.describeHere()}; ${TYPE_HELP}`);
  c.skipWs();
  const hasArgs = c.peek() === '[';
  switch (name) {
    case 'str': case 'string':
      return noArgs(c, name, hasArgs, { kind: 'string' });
    case 'int': case 'integer':
      return noArgs(c, name, hasArgs, { kind: 'number', integer: true });
    case 'float': case 'number':
      return noArgs(c, name, hasArgs, { kind: 'number' });
    case 'bool': case 'boolean':
      return noArgs(c, name, hasArgs, { kind: 'boolean' });
    case 'list': case 'List':
      return { kind: 'list', items: hasArgs ? parseListArg(c) : { kind: 'string' } };
    case 'Literal':
      if (!hasArgs) c.fail(`Literal needs values, e.g. Literal['a', 'b']`);
      return { kind: 'literal', values: parseLiteralArgs(c) };
    case 'dict': case 'Dict': case 'json':
      if (hasArgs) skipBracketed(c);
      return { kind: 'json' };
    default:
      return c.fail(`unknown type "${name}"; ${TYPE_HELP}`, at);
  }
}

function noArgs(c: Cursor, name: string, hasArgs: boolean, t: FieldType): FieldType {
  if (hasArgs) c.fail(`type "${name}" takes no "[...]" arguments`);
  return t;
}

function parseListArg(c: Cursor): FieldType {
  c.pos++; // '['
  const items = parseType(c);
  c.skipWs();
  if (c.peek() !== ']') c.fail(`expected "]" to close list[...], got ${c.describeHere()}`);
  c.pos++;
  return items;
}

function parseLiteralArgs(c: Cursor): LiteralValue[] {
  c.pos++; // '['
  const values: LiteralValue[] = [];
  for (;;) {
    c.skipWs();
    values.push(parseLiteralValue(c));
    c.skipWs();
    if (c.peek() === ',') {
      c.pos++;
      continue;
    }
    if (c.peek() === ']') break;
    c.fail(`expected "," or "]" in Literal[...], got ${c.describeHere()}`);
  }
  c.pos++;
  return values;
}

function parseLiteralValue(c: Cursor): LiteralValue {
  const q = c.peek();
  if (q === "'" || q === '"') return parseQuoted(c, q);
  const at = c.pos;
  const m = /^[+-]?[A-Za-z0-9_.]+/.exec(c.src.slice(c.pos));
  if (!m) c.fail(`expected a Literal value (a quoted string, number, True or False), got ${c.describeHere()}`);
  c.pos += m[0].length;
  const tok = m[0];
  if (tok === 'True' || tok === 'true') return true;
  if (tok === 'False' || tok === 'false') return false;
  const n = Number(tok);
  if (tok.trim() === '' || !Number.isFinite(n)) {
    c.fail(`Literal value ${tok} is not a quoted string, number, True or False`, at);
  }
  return n;
}

function parseQuoted(c: Cursor, quote: string): string {
  const start = c.pos;
  c.pos++;
  let out = '';
  while (!c.eof() && c.peek() !== quote) {
    if (c.peek() === '\\' && c.pos + 1 < c.src.length) c.pos++;
    out += c.peek();
    c.pos++;
  }
  if (c.eof()) c.fail('unterminated string; close it with the same quote it opened with', start);
  c.pos++;
  return out;
}

/** dict[str, Any] and friends: the arguments do not change how we treat the field. */
function skipBracketed(c: Cursor): void {
  const start = c.pos;
  let depth = 0;
  do {
    const ch = c.peek();
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
    c.pos++;
  } while (depth > 0 && !c.eof());
  if (depth > 0) c.fail(`unclosed "[" opened at column ${start}`);
}
