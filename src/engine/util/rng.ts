/**
 * Seeded randomness for the engine. Every random choice (data order, fill
 * draws, diversity tie-breaks, per-rollout sampling seeds) derives from the
 * run seed plus a path of integers, so a resumed run redraws exactly what an
 * uninterrupted one would have drawn at the same step.
 */
export type Random = () => number;

/** mulberry32: tiny, fast, good enough for shuffles and draws (not crypto). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a seed with a path of integers into a new 32-bit seed (order-sensitive). */
export function deriveSeed(seed: number, ...path: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const p of path) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

export function shuffle<T>(items: readonly T[], rand: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function randInt(rand: Random, n: number): number {
  return Math.floor(rand() * n);
}
