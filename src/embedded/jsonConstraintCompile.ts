import type { ResponseFormat } from './backend';
import {
  ANY, FREE_OBJECT, INTEGER, NO_LIMIT, NUMBER, arrayNode, literalNode, objectNode, stringNode, unionNode, type JsonNode,
} from './jsonConstraintSchema';

/**
 * JSON Schema -> grammar nodes, validating up front: a keyword the automaton
 * cannot enforce is an error naming it and where it sits, never silently
 * dropped (the caller would then trust output the decoder did not check).
 */

const TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'] as const;
type TypeName = (typeof TYPES)[number];

/** Keywords that only annotate; they constrain nothing. */
const ANNOTATIONS = new Set(['description', 'title', '$schema', '$id', '$comment', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly']);
const CONSTRAINING = ['type', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems', 'minLength', 'maxLength', 'enum', 'const', 'anyOf', '$ref', '$defs', 'definitions'];
const SUPPORTED = new Set(CONSTRAINING);
const SUPPORTED_TEXT = `${CONSTRAINING.join(', ')} (and annotations: ${[...ANNOTATIONS].join(', ')})`;

type Schema = Record<string, unknown>;

interface Ctx {
  root: Schema;
  rootPath: string;
  /** Compiled $defs, shared by every $ref to them. */
  defs: Map<string, JsonNode>;
  /** $refs being compiled right now: meeting one again means recursion. */
  resolving: Set<string>;
}

/** The grammar of `format`, or an Error whose message starts with the JSON path of the offending keyword. */
export function compileFormat(format: ResponseFormat): JsonNode {
  const f = format as unknown;
  if (!isObject(f) || (f.type !== 'json_object' && f.type !== 'json_schema')) {
    throw new Error('response_format: type must be "json_object" or "json_schema"');
  }
  if (f.type === 'json_object') return FREE_OBJECT;
  const rootPath = 'response_format.json_schema.schema';
  if (f.name !== undefined && typeof f.name !== 'string') throw new Error('response_format.json_schema.name: must be a string');
  if (!isObject(f.schema)) throw new Error(`${rootPath}: must be a JSON Schema object`);
  return compileSchema(f.schema, rootPath, { root: f.schema, rootPath, defs: new Map(), resolving: new Set() });
}

function compileSchema(s: unknown, path: string, ctx: Ctx): JsonNode {
  if (s === true) return ANY;
  if (!isObject(s)) throw new Error(`${path}: a schema must be an object (or true)`);
  for (const k of Object.keys(s)) {
    if (!SUPPORTED.has(k) && !ANNOTATIONS.has(k)) {
      throw new Error(`${path}: keyword \`${k}\` is not supported by the embedded model's constrained decoding; supported: ${SUPPORTED_TEXT}`);
    }
  }
  checkDefs(s, path);
  if (s.$ref !== undefined) return compileRef(s, path, ctx);
  if (s.anyOf !== undefined) return compileAnyOf(s, path, ctx);
  const types = typeList(s, path);
  if (s.enum !== undefined || s.const !== undefined) return compileLiterals(s, types, path);
  if (types.length === 0) return ANY;
  const nodes = types.map((t) => compileType(t, s, path, ctx));
  return nodes.length === 1 ? nodes[0] : unionNode(nodes);
}

/** $ref, anyOf and the shape keywords are alternatives here: combining them would mean an intersection, which is not supported. */
function onlyWith(s: Schema, keyword: string, path: string): void {
  for (const k of Object.keys(s)) {
    if (k !== keyword && !ANNOTATIONS.has(k) && k !== '$defs' && k !== 'definitions') {
      throw new Error(`${path}: \`${k}\` alongside \`${keyword}\` is not supported by the embedded model's constrained decoding (put it inside the ${keyword === '$ref' ? 'referenced schema' : 'options'})`);
    }
  }
}

function checkDefs(s: Schema, path: string): void {
  for (const k of ['$defs', 'definitions']) {
    if (s[k] !== undefined && !isObject(s[k])) throw new Error(`${path}.${k}: must be an object of schemas`);
  }
}

function compileRef(s: Schema, path: string, ctx: Ctx): JsonNode {
  onlyWith(s, '$ref', path);
  const ref = s.$ref;
  const m = typeof ref === 'string' ? /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref) : null;
  if (!m) throw new Error(`${path}.$ref: only local references of the form "#/$defs/<name>" are supported, got ${JSON.stringify(ref)}`);
  const name = m[2].replace(/~1/g, '/').replace(/~0/g, '~');
  const cached = ctx.defs.get(ref as string);
  if (cached) return cached;
  if (ctx.resolving.has(ref as string)) {
    throw new Error(`${path}.$ref: recursive reference ${JSON.stringify(ref)} is not supported by the embedded model's constrained decoding (only non-recursive $defs)`);
  }
  const defs = ctx.root[m[1]];
  if (!isObject(defs) || !Object.prototype.hasOwnProperty.call(defs, name)) {
    throw new Error(`${path}.$ref: ${JSON.stringify(ref)} does not name an entry of the root schema's ${m[1]}`);
  }
  ctx.resolving.add(ref as string);
  const node = compileSchema(defs[name], `${ctx.rootPath}${childPath(m[1], name)}`, ctx);
  ctx.resolving.delete(ref as string);
  ctx.defs.set(ref as string, node);
  return node;
}

function compileAnyOf(s: Schema, path: string, ctx: Ctx): JsonNode {
  onlyWith(s, 'anyOf', path);
  if (!Array.isArray(s.anyOf) || s.anyOf.length === 0) throw new Error(`${path}.anyOf: must be a non-empty array of schemas`);
  return unionNode(s.anyOf.map((o, i) => compileSchema(o, `${path}.anyOf[${i}]`, ctx)));
}

/** The types the schema allows: its `type`, or what its keywords imply (a bare schema allows any value). */
function typeList(s: Schema, path: string): TypeName[] {
  const t = s.type;
  if (t === undefined) {
    if (s.enum !== undefined || s.const !== undefined) return [...TYPES];
    if (s.properties !== undefined) return ['object'];
    if (s.items !== undefined) return ['array'];
    return [];
  }
  const list = Array.isArray(t) ? t : [t];
  if (list.length === 0) throw new Error(`${path}.type: must be a type name or a non-empty array of them`);
  for (const x of list) {
    if (!(TYPES as readonly unknown[]).includes(x)) throw new Error(`${path}.type: unknown type ${JSON.stringify(x)}; supported: ${TYPES.join(', ')}`);
  }
  return [...new Set(list as TypeName[])];
}

function compileLiterals(s: Schema, types: TypeName[], path: string): JsonNode {
  if (s.enum !== undefined && s.const !== undefined) throw new Error(`${path}: give one of \`enum\` and \`const\`, not both`);
  const key = s.enum !== undefined ? 'enum' : 'const';
  const values = key === 'enum' ? s.enum : [s.const];
  if (!Array.isArray(values) || values.length === 0) throw new Error(`${path}.enum: must be a non-empty array`);
  values.forEach((v, i) => {
    const where = key === 'enum' ? `${path}.enum[${i}]` : `${path}.const`;
    if (v !== null && typeof v === 'object') throw new Error(`${where}: only scalar values (string, number, boolean, null) are supported in ${key}`);
    if (!types.some((t) => hasType(v, t))) throw new Error(`${where}: ${JSON.stringify(v)} does not match type ${JSON.stringify(s.type)}`);
  });
  return literalNode(values);
}

function hasType(v: unknown, t: TypeName): boolean {
  if (t === 'integer') return Number.isInteger(v);
  if (t === 'null') return v === null;
  if (t === 'object' || t === 'array') return false;
  return typeof v === t;
}

function compileType(t: TypeName, s: Schema, path: string, ctx: Ctx): JsonNode {
  switch (t) {
    case 'object': return compileObject(s, path, ctx);
    case 'array': return compileArray(s, path, ctx);
    case 'string': {
      const min = count(s, 'minLength', path, 0);
      const max = count(s, 'maxLength', path, NO_LIMIT);
      if (min > max) throw new Error(`${path}: minLength ${min} exceeds maxLength ${max}`);
      return stringNode(min, max);
    }
    case 'number': return NUMBER;
    case 'integer': return INTEGER;
    case 'boolean': return literalNode([true, false]);
    case 'null': return literalNode([null]);
  }
}

/**
 * Every declared property is emitted, in the schema's order: in strict mode all
 * are required anyway, and a fixed order keeps the automaton a straight line of
 * literals (the grammar is ours, any key order is valid JSON for the schema).
 */
function compileObject(s: Schema, path: string, ctx: Ctx): JsonNode {
  const props = s.properties;
  // A schema here is accepted and unused: undeclared properties are never generated.
  const extra = s.additionalProperties;
  if (extra !== undefined && typeof extra !== 'boolean' && !isObject(extra)) throw new Error(`${path}.additionalProperties: must be a boolean or a schema`);
  if (props !== undefined && !isObject(props)) throw new Error(`${path}.properties: must be an object of schemas`);
  const keys = Object.keys(props ?? {});
  const required = s.required ?? [];
  if (!Array.isArray(required) || required.some((r) => typeof r !== 'string')) throw new Error(`${path}.required: must be an array of property names`);
  for (const r of required as string[]) {
    if (!keys.includes(r)) throw new Error(`${path}.required: "${r}" is not a declared property (undeclared properties are never generated)`);
  }
  // Nothing declared and nothing forbidden: the schema means "any object".
  if (keys.length === 0 && extra !== false) return FREE_OBJECT;
  const values = keys.map((k) => compileSchema(props![k], `${path}${childPath('properties', k)}`, ctx));
  return objectNode(keys, values);
}

function compileArray(s: Schema, path: string, ctx: Ctx): JsonNode {
  if (Array.isArray(s.items)) throw new Error(`${path}.items: tuple form (an array of schemas) is not supported; give one schema`);
  const items = s.items === undefined ? ANY : compileSchema(s.items, `${path}.items`, ctx);
  const min = count(s, 'minItems', path, 0);
  const max = count(s, 'maxItems', path, NO_LIMIT);
  if (min > max) throw new Error(`${path}: minItems ${min} exceeds maxItems ${max}`);
  return arrayNode(items, min, max);
}

function count(s: Schema, key: string, path: string, dflt: number): number {
  const v = s[key];
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new Error(`${path}.${key}: must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v as number;
}

function childPath(container: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${container}.${key}` : `.${container}[${JSON.stringify(key)}]`;
}

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
