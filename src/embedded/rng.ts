/**
 * Small seeded RNG (splitmix32-style mixing of a 32-bit counter). Everything
 * random in the embedded model goes through this so that a seed fully
 * determines init and sampling, independent of tfjs's own RNG.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = mix32(seed >>> 0 || 0x9e3779b9);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return mix32(this.state) / 4294967296;
  }

  /** Standard normal via Box-Muller (one value per call keeps the stream simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
}

function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Derive an independent stream seed from a base seed and an index (e.g. the choice number). */
export function deriveSeed(base: number, index: number): number {
  return mix32((mix32(base >>> 0) ^ Math.imul(index + 1, 0x27d4eb2d)) >>> 0);
}
