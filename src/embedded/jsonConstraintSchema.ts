import { ByteTrie } from './choiceTrie';
import { ByteMask, DIGITS, QUOTE, single } from './jsonConstraintMask';

/**
 * The grammar a JSON Schema compiles to: one node per distinct value shape,
 * each knowing the bytes its value can start with (`first`), so the automaton
 * (jsonConstraint.ts) can mask the first byte of a value, and pick among
 * `anyOf` options, without looking further ahead.
 */
export type JsonNode = ObjectNode | FreeObjectNode | ArrayNode | StringNode | NumberNode | LiteralNode | UnionNode;

/** An object whose keys are fixed and spelled in the schema's property order. */
export interface ObjectNode {
  kind: 'object';
  first: ByteMask;
  /** literals[i] (i < n) is what precedes value i (`"key":`, with a leading comma after the first); literals[n] is `}`. */
  literals: Uint8Array[];
  values: JsonNode[];
}

/** Any JSON object (json_object mode, or a schema object with open, undeclared properties). */
export interface FreeObjectNode {
  kind: 'freeObject';
  first: ByteMask;
}

export interface ArrayNode {
  kind: 'array';
  first: ByteMask;
  items: JsonNode;
  min: number;
  max: number;
  /** Bytes allowed right after `[`: an item's first byte and/or `]`, depending on min/max. */
  open: ByteMask;
}

export interface StringNode {
  kind: 'string';
  first: ByteMask;
  /** Bounds in characters (code points; every escape is one). */
  minLength: number;
  maxLength: number;
}

export interface NumberNode {
  kind: 'number';
  first: ByteMask;
  integer: boolean;
}

/** A finite set of scalar values (enum, const, boolean, null), as a trie of their compact serializations. */
export interface LiteralNode {
  kind: 'literal';
  first: ByteMask;
  trie: LiteralTrie;
}

/** anyOf: the automaton follows every option whose first byte matches, in parallel, until all but one die. */
export interface UnionNode {
  kind: 'union';
  first: ByteMask;
  options: JsonNode[];
}

/** The JSON spellings of an enum's values, with each node's allowed next bytes precomputed. */
export class LiteralTrie extends ByteTrie {
  private readonly masks: ByteMask[];
  readonly values: readonly unknown[];

  constructor(values: readonly unknown[]) {
    super();
    this.values = values;
    const enc = new TextEncoder();
    for (const v of values) this.insert(enc.encode(JSON.stringify(v)));
    this.masks = this.children.map((c) => ByteMask.of(c.keys()));
  }

  mask(node: number): ByteMask {
    return this.masks[node];
  }
}

export const NO_LIMIT = Number.MAX_SAFE_INTEGER;

const enc = new TextEncoder();
const OPEN_BRACE = single(0x7b);
const OPEN_BRACKET = single(0x5b);
const CLOSE_BRACKET = single(0x5d);

export function literalNode(values: readonly unknown[]): LiteralNode {
  const trie = new LiteralTrie(values);
  return { kind: 'literal', first: trie.mask(LiteralTrie.ROOT), trie };
}

export function objectNode(keys: readonly string[], values: JsonNode[]): ObjectNode {
  const literals = keys.map((k, i) => enc.encode(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`));
  literals.push(enc.encode('}'));
  return { kind: 'object', first: OPEN_BRACE, literals, values };
}

export function arrayNode(items: JsonNode, min: number, max: number): ArrayNode {
  let open = min === 0 ? CLOSE_BRACKET : items.first;
  if (min === 0 && max > 0) open = CLOSE_BRACKET.union(items.first);
  return { kind: 'array', first: OPEN_BRACKET, items, min, max, open };
}

export function stringNode(minLength = 0, maxLength = NO_LIMIT): StringNode {
  return { kind: 'string', first: QUOTE, minLength, maxLength };
}

export const INTEGER: NumberNode = { kind: 'number', first: DIGITS.union(single(0x2d)), integer: true };
export const NUMBER: NumberNode = { kind: 'number', first: INTEGER.first, integer: false };
export const FREE_OBJECT: FreeObjectNode = { kind: 'freeObject', first: OPEN_BRACE };
export const FREE_STRING = stringNode();

/**
 * anyOf over `options`: nested unions are flattened and scalar sets merged
 * into one trie, so the automaton forks only where the options really overlap.
 */
export function unionNode(options: JsonNode[]): JsonNode {
  const flat: JsonNode[] = [];
  const literals: unknown[] = [];
  const add = (n: JsonNode): void => {
    if (n.kind === 'union') n.options.forEach(add);
    else if (n.kind === 'literal') literals.push(...n.trie.values);
    else if (!flat.includes(n)) flat.push(n);
  };
  options.forEach(add);
  if (literals.length > 0) flat.push(literalNode(dedupeValues(literals)));
  if (flat.length === 1) return flat[0];
  return { kind: 'union', first: flat.reduce((m, n) => m.union(n.first), ByteMask.of([])), options: flat };
}

function dedupeValues(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = JSON.stringify(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Any JSON value (schema `{}`, and the members of free objects). Its arrays
 * hold any value, so the node refers to itself: its first-byte set is known
 * before its options are, and they are filled in afterwards.
 */
export const ANY: UnionNode = { kind: 'union', first: ByteMask.chars('{["-tfn0123456789'), options: [] };
ANY.options.push(FREE_OBJECT, arrayNode(ANY, 0, NO_LIMIT), FREE_STRING, NUMBER, literalNode([true, false, null]));
