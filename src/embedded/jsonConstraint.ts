import type { ResponseFormat } from './backend';
import { compileFormat } from './jsonConstraintCompile';
import {
  KIND, frame, numberCanEnd, numberMask, numberStart, numberStep, stringMask, stringStart, stringStep, type Frame,
} from './jsonConstraintLex';
import { ByteMask, EMPTY, QUOTE, single } from './jsonConstraintMask';
import { ANY, FREE_STRING, LiteralTrie, type ArrayNode, type JsonNode, type LiteralNode, type ObjectNode } from './jsonConstraintSchema';

/**
 * Byte-level incremental JSON constraint for response_format: a pushdown
 * automaton over the grammar compiled from the schema. For each state it gives
 * the exact set of bytes that keep the output a prefix of some valid document
 * (a 256-bit mask, no trial stepping), and whether the document is complete.
 * "Exact" matters twice: every allowed byte leads to a live state, so
 * sampling never paints itself into a corner; and nothing invalid is ever
 * allowed, so complete output always parses and validates.
 *
 * No whitespace is allowed anywhere: compact JSON is as valid as pretty JSON,
 * and for a byte-level model every space or newline is a decode step that
 * carries no content, so forbidding them keeps outputs short and stops an
 * untrained model from padding its answer with whitespace until max_tokens.
 *
 * A state is a small array of alternative stacks (one, unless an `anyOf`
 * has several options still matching the bytes so far). Stacks are immutable
 * linked frames, so a state is a value: copying it is free and stepping it
 * allocates a frame or two.
 */
export type JsonState = readonly Frame[];

export interface JsonConstraint {
  readonly start: JsonState;
  /** Bytes allowed next. */
  allowedBytes(state: JsonState): ByteMask;
  /** Token ids allowed next: the bytes, plus end-of-turn once the value is complete. */
  allowedTokens(state: JsonState): readonly number[];
  /** The bytes so far are a complete value (it may still continue, e.g. a number's digits). */
  isComplete(state: JsonState): boolean;
  /** Complete and nothing else may follow: end-of-turn is the only option. */
  isFinished(state: JsonState): boolean;
  /** The state after byte `b`, or undefined when `b` is not allowed. */
  step(state: JsonState, b: number): JsonState | undefined;
}

/**
 * Validates `format` and compiles it. Throws an Error whose message starts with
 * the JSON path of the offending keyword (callers answer it with a 400).
 */
export function compileJsonConstraint(format: ResponseFormat): JsonConstraint {
  return new JsonAutomaton(compileFormat(format));
}

/**
 * Cap on alternatives an anyOf may keep alive. Dropping one only narrows what
 * may be generated (each survivor is itself a valid parse with no dead end),
 * and it bounds the work of schemas whose options overlap heavily.
 */
const MAX_ALTERNATIVES = 32;

const DONE = frame(KIND.done, ANY, 0, 0, 0, null);

const FREE_OPEN = 0; // after `{`
const FREE_AFTER_KEY = 1;
const FREE_AFTER_VALUE = 2;
const FREE_AFTER_COMMA = 3;
const FREE_MASKS = [ByteMask.chars('"}'), single(0x3a), ByteMask.chars(',}'), QUOTE];

const ARR_OPEN = 0; // after `[`
const ARR_AFTER_ITEM = 1;
const COMMA = single(0x2c);
const CLOSE = single(0x5d);
const COMMA_CLOSE = COMMA.union(CLOSE);

class JsonAutomaton implements JsonConstraint {
  readonly start: JsonState;

  constructor(root: JsonNode) {
    this.start = [frame(KIND.value, root, 0, 0, 0, DONE)];
  }

  allowedBytes(state: JsonState): ByteMask {
    let m = EMPTY;
    for (const top of state) m = m.union(stackMask(top));
    return m;
  }

  allowedTokens(state: JsonState): readonly number[] {
    return this.allowedBytes(state).tokens(this.isComplete(state));
  }

  isComplete(state: JsonState): boolean {
    return state.some((top) => top === DONE || (canEnd(top) && top.parent === DONE));
  }

  isFinished(state: JsonState): boolean {
    return this.isComplete(state) && this.allowedBytes(state).isEmpty;
  }

  step(state: JsonState, b: number): JsonState | undefined {
    const out: Frame[] = [];
    for (const top of state) stepStack(top, b, out);
    return out.length > 0 ? out : undefined;
  }
}

/** Bytes allowed on one stack: its top frame's, plus what may follow the top's value if that value may end here. */
function stackMask(top: Frame): ByteMask {
  const own = ownMask(top);
  return canEnd(top) ? own.union(ownMask(top.parent!)) : own;
}

function ownMask(f: Frame): ByteMask {
  switch (f.kind) {
    case KIND.value: return f.node.first;
    case KIND.object: return single((f.node as ObjectNode).literals[f.n][f.m]);
    case KIND.freeObject: return FREE_MASKS[f.phase];
    case KIND.array: return arrayMask(f);
    case KIND.string: return stringMask(f);
    case KIND.number: return numberMask(f);
    case KIND.literal: return (f.node as LiteralNode).trie.mask(f.n);
    default: return EMPTY; // done
  }
}

function arrayMask(f: Frame): ByteMask {
  const node = f.node as ArrayNode;
  if (f.phase === ARR_OPEN) return node.open;
  if (f.n >= node.max) return CLOSE;
  return f.n >= node.min ? COMMA_CLOSE : COMMA;
}

/** Only scalars whose end is not marked by a closing byte (numbers, and literals that prefix others, like 1 and 12) can end implicitly. */
function canEnd(f: Frame): boolean {
  if (f.kind === KIND.number) return numberCanEnd(f);
  return f.kind === KIND.literal && (f.node as LiteralNode).trie.isTerminal(f.n);
}

/**
 * Advance one stack by `b` into `out`. A byte the top cannot take may end the
 * top's value and belong to the frame below: the grammar keeps the two sets
 * disjoint (digits and number signs vs `,` `}` `]`), so there is no ambiguity.
 */
function stepStack(top: Frame, b: number, out: Frame[]): void {
  if (ownMask(top).has(b)) stepFrame(top, b, out);
  else if (canEnd(top) && ownMask(top.parent!).has(b)) stepFrame(top.parent!, b, out);
}

/** Advance frame `f` by `b`, which its own mask allows. */
function stepFrame(f: Frame, b: number, out: Frame[]): void {
  switch (f.kind) {
    case KIND.value: return startValue(f.node, b, f.parent!, out);
    case KIND.object: return stepObject(f, out);
    case KIND.freeObject: return stepFreeObject(f, b, out);
    case KIND.array: return stepArray(f, b, out);
    case KIND.string: return emit(stringStep(f, b) ?? f.parent!, out);
    case KIND.number: return emit(numberStep(f, b), out);
    case KIND.literal: return emit(frame(KIND.literal, f.node, 0, (f.node as LiteralNode).trie.next(f.n, b), 0, f.parent), out);
  }
}

/** The first byte `b` of a value of `node`, pushed on `parent`. */
function startValue(node: JsonNode, b: number, parent: Frame, out: Frame[]): void {
  switch (node.kind) {
    case 'union':
      for (const o of node.options) if (o.first.has(b)) startValue(o, b, parent, out);
      return;
    case 'object': return emit(frame(KIND.object, node, 0, 0, 0, parent), out);
    case 'freeObject': return emit(frame(KIND.freeObject, node, FREE_OPEN, 0, 0, parent), out);
    case 'array': return emit(frame(KIND.array, node, ARR_OPEN, 0, 0, parent), out);
    case 'string': return emit(stringStart(node, parent), out);
    case 'number': return emit(numberStart(node, b, parent), out);
    case 'literal': return emit(frame(KIND.literal, node, 0, node.trie.next(LiteralTrie.ROOT, b), 0, parent), out);
  }
}

/** Spelling the literal before value n (or the closing brace); at its end, the value starts. */
function stepObject(f: Frame, out: Frame[]): void {
  const node = f.node as ObjectNode;
  if (f.m + 1 < node.literals[f.n].length) return emit(frame(KIND.object, node, 0, f.n, f.m + 1, f.parent), out);
  if (f.n === node.values.length) return emit(f.parent!, out);
  const after = frame(KIND.object, node, 0, f.n + 1, 0, f.parent);
  emit(frame(KIND.value, node.values[f.n], 0, 0, 0, after), out);
}

function stepFreeObject(f: Frame, b: number, out: Frame[]): void {
  const at = (phase: number) => frame(KIND.freeObject, f.node, phase, 0, 0, f.parent);
  if (b === 0x7d) return emit(f.parent!, out); // `}`
  if (b === 0x22) return emit(stringStart(FREE_STRING, at(FREE_AFTER_KEY)), out); // a key
  if (b === 0x3a) return emit(frame(KIND.value, ANY, 0, 0, 0, at(FREE_AFTER_VALUE)), out); // `:`
  emit(at(FREE_AFTER_COMMA), out); // `,`
}

function stepArray(f: Frame, b: number, out: Frame[]): void {
  const node = f.node as ArrayNode;
  if (b === 0x5d) return emit(f.parent!, out); // `]`
  const after = frame(KIND.array, node, ARR_AFTER_ITEM, f.n + 1, 0, f.parent);
  if (b === 0x2c) return emit(frame(KIND.value, node.items, 0, 0, 0, after), out);
  startValue(node.items, b, after, out); // the first item's first byte
}

/**
 * Add a stack to the next state. A value that is complete and cannot continue
 * (`0` as an integer, a literal with no longer sibling) is popped right away,
 * so the top frame always has something left to say or is `done`.
 */
function emit(top: Frame, out: Frame[]): void {
  while (canEnd(top) && ownMask(top).isEmpty) top = top.parent!;
  if (out.length >= MAX_ALTERNATIVES || out.some((o) => sameStack(o, top))) return;
  out.push(top);
}

function sameStack(a: Frame | null, b: Frame | null): boolean {
  while (a !== b) {
    if (!a || !b || a.kind !== b.kind || a.node !== b.node || a.phase !== b.phase || a.n !== b.n || a.m !== b.m) return false;
    a = a.parent;
    b = b.parent;
  }
  return true;
}
