import { strict as assert } from 'node:assert';
import { drawToken, logSoftmax, topLogprobs } from '../../../src/embedded/sampling';
import { advanceUtf8, allowedTokens, UTF8_START, type Utf8State } from '../../../src/embedded/utf8Mask';
import { Rng } from '../../../src/embedded/rng';
import { SPECIAL } from '../../../src/embedded/tokenizer';

// The sampler's per-step maths and its UTF-8 mask, checked against numbers
// worked out by hand: a temperature, top_p or mask that is slightly off still
// "samples something", so only exact expectations catch it (issue 18).

/** An Rng whose draws are scripted (the uniform draw decides the token). */
function fixedRng(...draws: number[]): Rng {
  let i = 0;
  return { next: () => draws[i++ % draws.length] } as unknown as Rng;
}

// ids 0, 1, 2 with probabilities 0.1, 0.3, 0.6 (logits ln 1, ln 3, ln 6).
const logits = [0, Math.log(3), Math.log(6)];
const all = [0, 1, 2];

describe('sampling: drawToken', () => {
  it('draws by cumulative probability in descending order of probability', () => {
    // Order 2 (0.6), 1 (0.3), 0 (0.1): u < 0.6 -> 2, u < 0.9 -> 1, else 0.
    assert.deepEqual([0, 0.59, 0.61, 0.89, 0.91, 0.999].map((u) => drawToken(logits, all, 1, 1, fixedRng(u))), [2, 2, 1, 1, 0, 0]);
  });

  it('top_p keeps the smallest prefix reaching p, and renormalizes over it', () => {
    assert.equal(drawToken(logits, all, 1, 0.6, fixedRng(0.999)), 2, 'cum 0.6 >= 0.6 keeps one token');
    assert.equal(drawToken(logits, all, 1, 0.5, fixedRng(0.999)), 2);
    // p = 0.7 keeps {2, 1} (mass 0.9): u = 0.7 * 0.9 = 0.63 > 0.6 -> 1; u = 0.6 * 0.9 = 0.54 -> 2.
    assert.equal(drawToken(logits, all, 1, 0.7, fixedRng(0.7)), 1);
    assert.equal(drawToken(logits, all, 1, 0.7, fixedRng(0.6)), 2);
    assert.equal(drawToken(logits, all, 1, 0.7, fixedRng(0.999)), 1, 'never the cut token 0');
  });

  it('temperature divides the logits before the softmax', () => {
    // T = 2: weights 1, sqrt 3, sqrt 6 (total 5.1815); the top token has 0.4727 of the mass.
    assert.equal(drawToken(logits, all, 2, 1, fixedRng(0.47)), 2);
    assert.equal(drawToken(logits, all, 2, 1, fixedRng(0.48)), 1);
    // T = 0.5: weights 1, 9, 36 (total 46); the top token has 0.7826.
    assert.equal(drawToken(logits, all, 0.5, 1, fixedRng(0.78)), 2);
    assert.equal(drawToken(logits, all, 0.5, 1, fixedRng(0.79)), 1);
  });

  it('samples only among allowed ids, breaking equal weights by the lower id', () => {
    const flat = [5, 1, 9, 1];
    assert.equal(drawToken(flat, [3, 1], 1, 1, fixedRng(0.49)), 1);
    assert.equal(drawToken(flat, [3, 1], 1, 1, fixedRng(0.51)), 3);
    // u = 0.5 * 2 lands exactly on the end of id 1's share: the draw is half-open, so it belongs to id 3.
    assert.equal(drawToken(flat, [1, 3], 1, 1, fixedRng(0.5)), 3);
    assert.equal(drawToken(flat, [3, 1], 1, 1, fixedRng(0.9999999999999)), 3, 'a draw at the very top still lands on a kept id');
  });

  it('stays finite for large logits at low temperature (the max is taken after scaling)', () => {
    // logits / 0.5 = 2000 and 2000 - ln 9: probabilities 0.9 and 0.1.
    const big = [1000, 1000 - Math.log(3)];
    assert.equal(drawToken(big, [0, 1], 0.5, 1, fixedRng(0.89)), 0);
    assert.equal(drawToken(big, [0, 1], 0.5, 1, fixedRng(0.91)), 1);
  });

  it('temperature 0 is greedy over the allowed ids, ties to the lowest id; one allowed id needs no draw', () => {
    assert.equal(drawToken([1, 7, 7, 9], [2, 1], 0, 1, fixedRng(0.5)), 1);
    assert.equal(drawToken([1, 7, 7, 9], [1, 2], 0, 1, fixedRng(0.5)), 1, 'a later equal logit does not win');
    assert.equal(drawToken([1, 7, 8, 9], [1, 2], 0, 1, fixedRng(0.5)), 2);
    assert.equal(drawToken([1, 7, 8, 9], [2, 1, 0], 0, 1, fixedRng(0.5)), 2, 'the first allowed id is not favoured');
    let drawn = false;
    assert.equal(drawToken(logits, [1], 1, 1, { next: () => ((drawn = true), 0) } as unknown as Rng), 1);
    assert.equal(drawn, false);
  });
});

describe('sampling: logSoftmax and top logprobs', () => {
  it('normalizes without overflow for large logits', () => {
    const l = logSoftmax([1000, 1000, 1000 + Math.log(2)]);
    assert.deepEqual(Array.from(l, (x) => Math.round(x * 1e12) / 1e12), [-Math.log(4), -Math.log(4), -Math.log(2)].map((x) => Math.round(x * 1e12) / 1e12));
    const first = logSoftmax([1000 + Math.log(2), 1000, -1000]);
    assert.ok(Math.abs(first[0] - Math.log(2 / 3)) < 1e-9 && Math.abs(first[1] - Math.log(1 / 3)) < 1e-9, 'the max is the largest logit, not the last');
    const small = logSoftmax([-1000, -1001]);
    assert.ok(Math.abs(Math.exp(small[0]) + Math.exp(small[1]) - 1) < 1e-12);
  });

  it('lists the k most likely tokens, ties by id, with their logprobs', () => {
    const lsm = logSoftmax([0, 2, 1, 2]);
    const top = topLogprobs(lsm, 3, (id) => `t${id}`);
    assert.deepEqual(top.map((t) => t.token), ['t1', 't3', 't2']);
    assert.equal(top[0].logprob, lsm[1]);
    assert.deepEqual(topLogprobs(lsm, 0, String), []);
    assert.deepEqual(topLogprobs(logSoftmax([0, 0, 0, 0, 0]), 5, String).map((t) => t.token), ['0', '1', '2', '3', '4'], 'equal logprobs in id order');
    assert.equal(topLogprobs(lsm, 9, String).length, 4);
  });
});

describe('sampling: UTF-8 mask', () => {
  const span = (ids: number[]) => [Math.min(...ids), Math.max(...ids), ids.length];
  const after = (...bytes: number[]) => bytes.reduce<Utf8State>((s, b) => advanceUtf8(s, b), UTF8_START);

  it('at a character boundary allows ASCII, the valid lead bytes and end-of-turn only', () => {
    const ids = new Set(allowedTokens(UTF8_START));
    for (let b = 0; b < 256; b++) assert.equal(ids.has(b), b <= 0x7f || (b >= 0xc2 && b <= 0xf4), `byte 0x${b.toString(16)}`);
    assert.ok(ids.has(SPECIAL.endOfTurn));
    assert.equal(ids.size, 128 + 51 + 1);
  });

  it('limits the first continuation byte so no overlong form or surrogate can be spelled', () => {
    assert.deepEqual(span(allowedTokens(after(0xc2))), [0x80, 0xbf, 64]);
    assert.deepEqual(span(allowedTokens(after(0xdf))), [0x80, 0xbf, 64]);
    assert.deepEqual(span(allowedTokens(after(0xe0))), [0xa0, 0xbf, 32]);
    assert.deepEqual(span(allowedTokens(after(0xe1))), [0x80, 0xbf, 64]);
    assert.deepEqual(span(allowedTokens(after(0xed))), [0x80, 0x9f, 32]);
    assert.deepEqual(span(allowedTokens(after(0xef))), [0x80, 0xbf, 64]);
    assert.deepEqual(span(allowedTokens(after(0xf0))), [0x90, 0xbf, 48]);
    assert.deepEqual(span(allowedTokens(after(0xf1))), [0x80, 0xbf, 64]);
    assert.deepEqual(span(allowedTokens(after(0xf4))), [0x80, 0x8f, 16]);
  });

  it('counts the continuation bytes each lead byte needs, then returns to the boundary', () => {
    assert.deepEqual(after(0x41), UTF8_START);
    assert.deepEqual(after(0x7f), UTF8_START);
    assert.deepEqual(after(0xdf), { need: 1, lo: 0x80, hi: 0xbf, partial: 1 });
    assert.deepEqual(after(0xe1, 0x80), { need: 1, lo: 0x80, hi: 0xbf, partial: 2 });
    assert.deepEqual(after(0xe1, 0x80, 0x80), UTF8_START);
    assert.deepEqual(after(0xef).need, 2);
    assert.deepEqual(after(0xf0, 0x90), { need: 2, lo: 0x80, hi: 0xbf, partial: 2 });
    assert.deepEqual(after(0xf0, 0x90, 0x80), { need: 1, lo: 0x80, hi: 0xbf, partial: 3 });
    assert.deepEqual(after(0xf4, 0x8f, 0xbf, 0xbf), UTF8_START);
  });

  it('every byte path it allows decodes as strict UTF-8', () => {
    const rng = new Rng(7);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (let n = 0; n < 3000; n++) {
      const bytes: number[] = [];
      let s = UTF8_START;
      do {
        const ids = allowedTokens(s).filter((id) => id < 256);
        const b = ids[rng.int(ids.length)];
        bytes.push(b);
        s = advanceUtf8(s, b);
      } while (s.need > 0);
      assert.doesNotThrow(() => decoder.decode(Uint8Array.from(bytes)), bytes.map((b) => b.toString(16)).join(' '));
    }
  });
});
