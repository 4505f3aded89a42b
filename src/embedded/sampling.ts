import type { TopLogprob } from '../protocol/lm';
import type { Rng } from './rng';

/** log-softmax in float64 of one raw logits row. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - lse;
  return out;
}

/**
 * Draw one token among `allowed` from raw logits: temperature scaling, then
 * nucleus (top_p) truncation, then one uniform draw from `rng`.
 * temperature 0 means greedy (ties break to the lowest id).
 */
export function drawToken(logits: ArrayLike<number>, allowed: readonly number[], temperature: number, topP: number, rng: Rng): number {
  if (allowed.length === 1) return allowed[0];
  if (temperature === 0) {
    let best = allowed[0];
    for (const id of allowed) if (logits[id] > logits[best] || (logits[id] === logits[best] && id < best)) best = id;
    return best;
  }
  let max = -Infinity;
  for (const id of allowed) max = Math.max(max, logits[id] / temperature);
  const weighted = allowed.map((id) => ({ id, w: Math.exp(logits[id] / temperature - max) }));
  weighted.sort((a, b) => b.w - a.w || a.id - b.id);
  const total = weighted.reduce((s, e) => s + e.w, 0);
  let kept = weighted.length;
  if (topP < 1) {
    let cum = 0;
    for (let i = 0; i < weighted.length; i++) {
      cum += weighted[i].w / total;
      if (cum >= topP) {
        kept = i + 1;
        break;
      }
    }
  }
  const keptTotal = weighted.slice(0, kept).reduce((s, e) => s + e.w, 0);
  let u = rng.next() * keptTotal;
  for (let i = 0; i < kept; i++) {
    u -= weighted[i].w;
    if (u < 0) return weighted[i].id;
  }
  return weighted[kept - 1].id;
}

/** The k most likely tokens under the raw distribution. */
export function topLogprobs(lsm: Float64Array, k: number, text: (id: number) => string): TopLogprob[] {
  if (k <= 0) return [];
  const ids = Array.from(lsm.keys()).sort((a, b) => lsm[b] - lsm[a] || a - b).slice(0, k);
  return ids.map((id) => ({ token: text(id), logprob: lsm[id] }));
}
