import { seededRandom, type Random } from '../../util/rng';

export interface CategoricalTPEOptions {
  seed: number;
  /** Fraction of observed trials that form the "good" group. */
  gamma?: number;
  /** Trials drawn uniformly before the model is trusted. */
  startupTrials?: number;
  /** Pseudo-count (> 0) spread uniformly over the choices of each parameter (keeps unseen choices reachable). */
  priorWeight?: number;
  /** Draws from l(x) per parameter among which the best l/g ratio wins. */
  candidates?: number;
}

interface Observation {
  params: Record<string, number>;
  score: number;
}

/**
 * Tree-structured Parzen estimator for independent categorical parameters.
 * Higher scores are better. Each parameter is modelled separately, which is
 * what makes TPE cheap: the joint search space can be huge (instructions x
 * demo sets per module) while the model stays a handful of counts.
 */
export class CategoricalTPE {
  private readonly rand: Random;
  private readonly gamma: number;
  private readonly startupTrials: number;
  private readonly priorWeight: number;
  private readonly candidates: number;
  private readonly history: Observation[] = [];

  constructor(
    private readonly spaces: Record<string, number>,
    options: CategoricalTPEOptions,
  ) {
    for (const [name, n] of Object.entries(spaces)) {
      if (!Number.isInteger(n) || n < 1) {
        throw new Error(`CategoricalTPE: parameter "${name}" must have a whole number of choices >= 1, got ${String(n)}.`);
      }
    }
    this.gamma = checkRange('gamma', options.gamma ?? 0.25, 0, 1);
    this.priorWeight = checkRange('priorWeight', options.priorWeight ?? 1, 0, Infinity);
    this.startupTrials = Math.max(0, Math.floor(options.startupTrials ?? 5));
    this.candidates = Math.max(1, Math.floor(options.candidates ?? 24));
    this.rand = seededRandom(options.seed);
  }

  get observations(): number {
    return this.history.length;
  }

  suggest(): Record<string, number> {
    const out: Record<string, number> = {};
    const modelled = this.history.length >= Math.max(1, this.startupTrials);
    const split = modelled ? this.splitHistory() : undefined;
    for (const [name, n] of Object.entries(this.spaces)) {
      out[name] = split ? this.suggestOne(name, n, split.good, split.bad) : Math.floor(this.rand() * n);
    }
    return out;
  }

  observe(params: Record<string, number>, score: number): void {
    if (!Number.isFinite(score)) throw new Error(`CategoricalTPE.observe: the score must be a finite number, got ${String(score)}.`);
    for (const [name, n] of Object.entries(this.spaces)) {
      const v = params[name];
      if (!Number.isInteger(v) || v < 0 || v >= n) {
        throw new Error(`CategoricalTPE.observe: parameter "${name}" must be an integer in [0, ${n - 1}], got ${String(v)}.`);
      }
    }
    this.history.push({ params: { ...params }, score });
  }

  private splitHistory(): { good: Observation[]; bad: Observation[] } {
    // Stable sort keeps ties in arrival order, so the split is deterministic.
    const sorted = this.history.map((o, i) => ({ o, i })).sort((a, b) => b.o.score - a.o.score || a.i - b.i);
    const nGood = Math.min(sorted.length, Math.max(1, Math.ceil(this.gamma * sorted.length)));
    return { good: sorted.slice(0, nGood).map((x) => x.o), bad: sorted.slice(nGood).map((x) => x.o) };
  }

  private suggestOne(name: string, n: number, good: Observation[], bad: Observation[]): number {
    if (n === 1) return 0;
    const l = this.density(name, n, good);
    const g = this.density(name, n, bad);
    let best = -1;
    let bestRatio = -Infinity;
    for (let c = 0; c < this.candidates; c++) {
      const x = sampleIndex(l, this.rand());
      const ratio = l[x] / g[x];
      if (ratio > bestRatio) {
        bestRatio = ratio;
        best = x;
      }
    }
    return best;
  }

  /** Smoothed categorical distribution of one parameter over a group of trials. */
  private density(name: string, n: number, group: Observation[]): number[] {
    // priorWeight > 0 (checked), so g(x) > 0 and the ratio is always finite.
    const prior = this.priorWeight / n;
    const counts = new Array<number>(n).fill(prior);
    for (const o of group) counts[o.params[name]] += 1;
    const total = counts.reduce((s, c) => s + c, 0);
    return counts.map((c) => c / total);
  }
}

function sampleIndex(probs: number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < probs.length; i++) {
    acc += probs[i];
    if (u < acc) return i;
  }
  return probs.length - 1;
}

function checkRange(name: string, v: number, lo: number, hi: number): number {
  if (!(Number.isFinite(v) || v === Infinity) || v <= lo || v > hi) {
    throw new Error(`CategoricalTPE: ${name} must be in (${lo}, ${hi}], got ${String(v)}.`);
  }
  return v;
}
