import { SPECIAL } from './tokenizer';

/**
 * Free-form byte sampling is masked to well-formed UTF-8. Otherwise a stray
 * byte decodes to U+FFFD, the completion string no longer re-encodes to the
 * sampled bytes, and the trainer would score different tokens than were
 * sampled (breaking old/new logprob alignment).
 */
export interface Utf8State {
  /** Continuation bytes still needed for the current character. */
  need: number;
  /** Allowed range of the next continuation byte. */
  lo: number;
  hi: number;
  /** Bytes of the current incomplete character already emitted. */
  partial: number;
}

export const UTF8_START: Utf8State = { need: 0, lo: 0x80, hi: 0xbf, partial: 0 };

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const AT_BOUNDARY = [...range(0x00, 0x7f), ...range(0xc2, 0xf4), SPECIAL.endOfTurn];
const CONT_CACHE = new Map<number, number[]>();

export function allowedTokens(s: Utf8State): number[] {
  if (s.need === 0) return AT_BOUNDARY;
  const key = s.lo * 256 + s.hi;
  let ids = CONT_CACHE.get(key);
  if (!ids) CONT_CACHE.set(key, (ids = range(s.lo, s.hi)));
  return ids;
}

/** State after emitting byte `b` (which must be allowed in `s`). */
export function advanceUtf8(s: Utf8State, b: number): Utf8State {
  if (s.need > 0) return s.need === 1 ? UTF8_START : { need: s.need - 1, lo: 0x80, hi: 0xbf, partial: s.partial + 1 };
  if (b < 0x80) return UTF8_START;
  // Lead bytes; the first continuation range excludes overlong forms and surrogates.
  if (b <= 0xdf) return { need: 1, lo: 0x80, hi: 0xbf, partial: 1 };
  if (b <= 0xef) return { need: 2, lo: b === 0xe0 ? 0xa0 : 0x80, hi: b === 0xed ? 0x9f : 0xbf, partial: 1 };
  return { need: 3, lo: b === 0xf0 ? 0x90 : 0x80, hi: b === 0xf4 ? 0x8f : 0xbf, partial: 1 };
}
