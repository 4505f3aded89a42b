/**
 * An independent JSON Schema checker for the subset the constrained decoder
 * supports, written straight from the JSON Schema semantics (it shares no
 * code with the automaton), so tests can judge the automaton's output.
 * Returns the first violation found, or null when `value` is valid.
 */
type Schema = Record<string, unknown>;

export function schemaViolation(value: unknown, schema: unknown, root: unknown = schema, path = '$'): string | null {
  if (schema === true) return null;
  const s = schema as Schema;
  if (typeof s.$ref === 'string') {
    const [, container, name] = s.$ref.split('/');
    return schemaViolation(value, ((root as Schema)[container] as Schema)[name], root, path);
  }
  if (Array.isArray(s.anyOf)) {
    return s.anyOf.some((o) => schemaViolation(value, o, root, path) === null) ? null : `${path}: matches no anyOf option`;
  }
  if (s.const !== undefined && !sameScalar(value, s.const)) return `${path}: not the const`;
  if (Array.isArray(s.enum) && !s.enum.some((e) => sameScalar(value, e))) return `${path}: not in enum`;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => typeMatches(value, t as string))) return `${path}: not of type ${JSON.stringify(s.type)}`;
  }
  if (typeof value === 'string') return stringViolation(value, s, path);
  if (Array.isArray(value)) return arrayViolation(value, s, root, path);
  if (value !== null && typeof value === 'object') return objectViolation(value as Schema, s, root, path);
  return null;
}

function typeMatches(v: unknown, t: string): boolean {
  switch (t) {
    case 'null': return v === null;
    case 'boolean': return typeof v === 'boolean';
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'array': return Array.isArray(v);
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    default: return false;
  }
}

function sameScalar(a: unknown, b: unknown): boolean {
  return a === b;
}

function stringViolation(v: string, s: Schema, path: string): string | null {
  const length = [...v].length; // code points, as JSON Schema counts
  if (typeof s.maxLength === 'number' && length > s.maxLength) return `${path}: longer than ${s.maxLength}`;
  if (typeof s.minLength === 'number' && length < s.minLength) return `${path}: shorter than ${s.minLength}`;
  return null;
}

function arrayViolation(v: unknown[], s: Schema, root: unknown, path: string): string | null {
  if (typeof s.maxItems === 'number' && v.length > s.maxItems) return `${path}: more than ${s.maxItems} items`;
  if (typeof s.minItems === 'number' && v.length < s.minItems) return `${path}: fewer than ${s.minItems} items`;
  if (s.items === undefined) return null;
  for (let i = 0; i < v.length; i++) {
    const bad = schemaViolation(v[i], s.items, root, `${path}[${i}]`);
    if (bad) return bad;
  }
  return null;
}

function objectViolation(v: Schema, s: Schema, root: unknown, path: string): string | null {
  const props = (s.properties ?? {}) as Schema;
  for (const r of (s.required ?? []) as string[]) if (!Object.prototype.hasOwnProperty.call(v, r)) return `${path}: missing ${r}`;
  for (const k of Object.keys(v)) {
    if (Object.prototype.hasOwnProperty.call(props, k)) {
      const bad = schemaViolation(v[k], props[k], root, `${path}.${k}`);
      if (bad) return bad;
    } else if (s.additionalProperties === false) {
      return `${path}: unexpected key ${JSON.stringify(k)}`;
    }
  }
  return null;
}

/** Strict UTF-8 then JSON: the parsed value, or undefined when the bytes are not one JSON text. */
export function parseJsonBytes(bytes: Uint8Array): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch {
    return undefined;
  }
}
