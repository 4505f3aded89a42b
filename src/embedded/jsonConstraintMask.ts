import { SPECIAL } from './tokenizer';

/**
 * An immutable set of byte values (a 256-bit mask) with its member list
 * precomputed. The JSON constraint answers "which bytes may come next" with one
 * of these per decode step, so the sampler never tries candidate bytes one by
 * one; unions are memoized because the same few sets recur every step.
 */
export class ByteMask {
  readonly ids: readonly number[];
  private withEnd?: number[];
  // Weak: a constant mask must not keep alive the per-schema masks it was once joined with.
  private readonly unions = new WeakMap<ByteMask, ByteMask>();

  private constructor(private readonly words: Uint32Array) {
    const ids: number[] = [];
    for (let b = 0; b < 256; b++) if (this.has(b)) ids.push(b);
    this.ids = ids;
  }

  static of(bytes: Iterable<number>): ByteMask {
    const words = new Uint32Array(8);
    for (const b of bytes) {
      if (!Number.isInteger(b) || b < 0 || b > 255) throw new Error(`ByteMask: ${b} is not a byte`);
      words[b >>> 5] |= 1 << (b & 31);
    }
    return new ByteMask(words);
  }

  /** Bytes of an ASCII string plus inclusive [lo, hi] ranges. */
  static chars(chars: string, ...ranges: [number, number][]): ByteMask {
    const bytes = Array.from(chars, (c) => c.charCodeAt(0));
    for (const [lo, hi] of ranges) for (let b = lo; b <= hi; b++) bytes.push(b);
    return ByteMask.of(bytes);
  }

  get isEmpty(): boolean {
    return this.ids.length === 0;
  }

  has(b: number): boolean {
    return b >= 0 && b < 256 && (this.words[b >>> 5] & (1 << (b & 31))) !== 0;
  }

  union(other: ByteMask): ByteMask {
    if (other === this || other.isEmpty) return this;
    if (this.isEmpty) return other;
    let u = this.unions.get(other);
    if (!u) {
      const words = new Uint32Array(8);
      for (let i = 0; i < 8; i++) words[i] = this.words[i] | other.words[i];
      u = new ByteMask(words);
      this.unions.set(other, u);
    }
    return u;
  }

  /** Token ids for the sampler: the bytes, plus end-of-turn when the value may end here. */
  tokens(endAllowed: boolean): readonly number[] {
    if (!endAllowed) return this.ids;
    return (this.withEnd ??= [...this.ids, SPECIAL.endOfTurn]);
  }
}

const singles: ByteMask[] = Array.from({ length: 256 }, (_, b) => ByteMask.of([b]));

/** The one-byte mask of `b` (shared instances, so unions with it stay memoized). */
export function single(b: number): ByteMask {
  return singles[b];
}

const utf8Continuations = new Map<number, ByteMask>();

/** Continuation bytes in [lo, hi] (the ranges utf8Mask.ts computes for the next byte of a character). */
export function continuationRange(lo: number, hi: number): ByteMask {
  const key = lo * 256 + hi;
  let m = utf8Continuations.get(key);
  if (!m) utf8Continuations.set(key, (m = ByteMask.chars('', [lo, hi])));
  return m;
}

export const EMPTY = ByteMask.of([]);
export const DIGITS = ByteMask.chars('0123456789');
export const NONZERO_DIGITS = ByteMask.chars('123456789');
export const HEX = ByteMask.chars('0123456789abcdefABCDEF');
/** After `\ud`: 0-7 only, so an escape never spells a UTF-16 surrogate (see jsonConstraintLex.ts). */
export const HEX_BELOW_8 = ByteMask.chars('01234567');
export const ESCAPES = ByteMask.chars('"\\/bfnrtu');
/**
 * Bytes that may start a character inside a string: printable ASCII (quote and
 * backslash included, they end the string or start an escape) and the UTF-8
 * lead bytes that can begin a well-formed character. Raw control characters
 * (< 0x20) are not allowed in JSON strings.
 */
export const STRING_START = ByteMask.chars('', [0x20, 0x7f], [0xc2, 0xf4]);
/** Inside a string shorter than its minLength: anything but the closing quote. */
export const STRING_START_NO_QUOTE = ByteMask.chars('', [0x20, 0x21], [0x23, 0x7f], [0xc2, 0xf4]);
export const QUOTE = single(0x22);
