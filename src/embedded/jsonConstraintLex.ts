import {
  ByteMask, DIGITS, EMPTY, ESCAPES, HEX, HEX_BELOW_8, QUOTE, STRING_START, STRING_START_NO_QUOTE, continuationRange,
} from './jsonConstraintMask';
import type { JsonNode, NumberNode, StringNode } from './jsonConstraintSchema';
import { advanceUtf8, UTF8_START } from './utf8Mask';

/**
 * One level of the automaton's stack. Immutable and flat (a kind, the grammar
 * node, three small numbers whose meaning depends on the kind, and the frame
 * below), so advancing a sequence allocates one or two small objects, states
 * share their tails, and two stacks compare field by field.
 */
export interface Frame {
  readonly kind: number;
  readonly node: JsonNode;
  readonly phase: number;
  readonly n: number;
  readonly m: number;
  readonly parent: Frame | null;
}

export const KIND = {
  /** A value of `node` starts with the next byte. */
  value: 0,
  /** The whole document is complete. */
  done: 1,
  /** Schema object: `n` = index of the literal being spelled (see ObjectNode), `m` = bytes of it spelled. */
  object: 2,
  /** Free object: `phase` = OBJ_*. */
  freeObject: 3,
  /** Array: `phase` = ARR_*, `n` = items started. */
  array: 4,
  /** String: `phase` = STR_*, `n` = characters so far, `m` = packed UTF-8 state. */
  string: 5,
  /** Number: `phase` = NUM_*, `n` = digits in the current part. */
  number: 6,
  /** Scalar literal: `n` = trie node. */
  literal: 7,
} as const;

export function frame(kind: number, node: JsonNode, phase: number, n: number, m: number, parent: Frame | null): Frame {
  return { kind, node, phase, n, m, parent };
}

// ---- strings ---------------------------------------------------------------

const STR_CHAR = 0; // at a character boundary
const STR_ESC = 1; // after a backslash
const STR_U4 = 2; // \u, four hex digits to go
const STR_U3_LOW = 3; // \uD, three to go, the next one 0-7
const STR_U3 = 4;
const STR_U2 = 5;
const STR_U1 = 6;
const STR_UTF8 = 7; // inside a multi-byte character

const packUtf8 = (need: number, lo: number, hi: number) => (need << 16) | (lo << 8) | hi;

/**
 * Bytes allowed inside a string. Escapes \uD800-\uDFFF are refused so that
 * every character is exactly one code point: lengths are counted as JSON
 * Schema counts them, and no lone surrogate reaches the output (astral
 * characters can still be written raw in UTF-8).
 */
export function stringMask(f: Frame): ByteMask {
  const node = f.node as StringNode;
  switch (f.phase) {
    case STR_CHAR:
      if (f.n >= node.maxLength) return QUOTE;
      return f.n < node.minLength ? STRING_START_NO_QUOTE : STRING_START;
    case STR_ESC: return ESCAPES;
    case STR_U3_LOW: return HEX_BELOW_8;
    case STR_UTF8: return continuationRange((f.m >> 8) & 0xff, f.m & 0xff);
    default: return HEX;
  }
}

/** The string frame after byte `b` (allowed by stringMask), or null when `b` closed the string. */
export function stringStep(f: Frame, b: number): Frame | null {
  const next = (phase: number, n: number, m = 0) => frame(KIND.string, f.node, phase, n, m, f.parent);
  switch (f.phase) {
    case STR_CHAR: {
      if (b === 0x22) return null;
      if (b === 0x5c) return next(STR_ESC, f.n + 1); // an escape is one character, counted at its backslash
      if (b < 0x80) return next(STR_CHAR, f.n + 1);
      const u = advanceUtf8(UTF8_START, b);
      return next(STR_UTF8, f.n + 1, packUtf8(u.need, u.lo, u.hi));
    }
    case STR_ESC: return next(b === 0x75 ? STR_U4 : STR_CHAR, f.n);
    case STR_U4: return next(b === 0x64 || b === 0x44 ? STR_U3_LOW : STR_U3, f.n);
    case STR_U3_LOW:
    case STR_U3: return next(STR_U2, f.n);
    case STR_U2: return next(STR_U1, f.n);
    case STR_U1: return next(STR_CHAR, f.n);
    default: {
      const need = f.m >> 16;
      if (need === 1) return next(STR_CHAR, f.n);
      return next(STR_UTF8, f.n, packUtf8(need - 1, 0x80, 0xbf));
    }
  }
}

export function stringStart(node: JsonNode, parent: Frame | null): Frame {
  return frame(KIND.string, node, STR_CHAR, 0, 0, parent);
}

// ---- numbers ---------------------------------------------------------------

/**
 * Digits are bounded so a number cannot grow forever and always parses to a
 * finite double: 15 integer digits keep integers exact (< 2^53), 15 fraction
 * digits are as many as a double resolves, and a 2-digit exponent keeps
 * 10^15 * 10^99 far below the double range.
 */
export const MAX_INT_DIGITS = 15;
export const MAX_FRAC_DIGITS = 15;
export const MAX_EXP_DIGITS = 2;

const NUM_SIGN = 0; // after '-'
const NUM_ZERO = 1; // integer part is 0
const NUM_INT = 2;
const NUM_FRAC0 = 3; // after '.'
const NUM_FRAC = 4;
const NUM_EXP0 = 5; // after 'e'
const NUM_EXP_SIGN = 6;
const NUM_EXP = 7;

const DOT_EXP = ByteMask.chars('.eE');
const DIGITS_DOT_EXP = DIGITS.union(DOT_EXP);
const EXP_MARK = ByteMask.chars('eE');
const DIGITS_EXP = DIGITS.union(EXP_MARK);
const SIGN_DIGITS = ByteMask.chars('+-').union(DIGITS);

export function numberMask(f: Frame): ByteMask {
  const integer = (f.node as NumberNode).integer;
  switch (f.phase) {
    case NUM_ZERO: return integer ? EMPTY : DOT_EXP;
    case NUM_INT:
      if (f.n < MAX_INT_DIGITS) return integer ? DIGITS : DIGITS_DOT_EXP;
      return integer ? EMPTY : DOT_EXP;
    case NUM_FRAC: return f.n < MAX_FRAC_DIGITS ? DIGITS_EXP : EXP_MARK;
    case NUM_EXP0: return SIGN_DIGITS;
    case NUM_EXP: return f.n < MAX_EXP_DIGITS ? DIGITS : EMPTY;
    default: return DIGITS; // NUM_SIGN, NUM_FRAC0, NUM_EXP_SIGN
  }
}

/** Whether the number spelled so far is complete (it may still continue). */
export function numberCanEnd(f: Frame): boolean {
  return f.phase === NUM_ZERO || f.phase === NUM_INT || f.phase === NUM_FRAC || f.phase === NUM_EXP;
}

/** The number frame started by `b` (a first byte of the node). */
export function numberStart(node: JsonNode, b: number, parent: Frame | null): Frame {
  const phase = b === 0x2d ? NUM_SIGN : b === 0x30 ? NUM_ZERO : NUM_INT;
  return frame(KIND.number, node, phase, phase === NUM_INT ? 1 : 0, 0, parent);
}

export function numberStep(f: Frame, b: number): Frame {
  const next = (phase: number, n: number) => frame(KIND.number, f.node, phase, n, 0, f.parent);
  const digit = b >= 0x30 && b <= 0x39;
  if (b === 0x2e) return next(NUM_FRAC0, 0);
  if (b === 0x65 || b === 0x45) return next(NUM_EXP0, 0);
  switch (f.phase) {
    case NUM_SIGN: return b === 0x30 ? next(NUM_ZERO, 0) : next(NUM_INT, 1);
    case NUM_INT: return next(NUM_INT, f.n + 1);
    case NUM_FRAC0:
    case NUM_FRAC: return next(NUM_FRAC, f.n + 1);
    case NUM_EXP0: return digit ? next(NUM_EXP, 1) : next(NUM_EXP_SIGN, 0);
    default: return next(NUM_EXP, f.n + 1); // NUM_EXP_SIGN, NUM_EXP
  }
}
