import type { TrainingSequence } from './chatTemplate';
import { SPECIAL } from './tokenizer';

/** One padded micro-batch. Position t of row b holds log p(token t+1), so masks are shifted by one. */
export interface MicroBatch {
  /** Indices of the sequences (into the caller's list) in row order. */
  rows: number[];
  tokens: Int32Array; // [B * T]
  B: number;
  T: number;
  /** 1 where position t predicts a completion token [B * T]. */
  mask: Float32Array;
}

/**
 * Groups sequences into micro-batches of at most `tokenBudget` padded tokens,
 * sorted by length so little compute goes to padding. Bounding the batch
 * bounds memory: attention keeps [B*H, T, T] buffers alive for backward.
 */
export function microBatches(seqs: TrainingSequence[], include: number[], tokenBudget: number): MicroBatch[] {
  const order = [...include].sort((a, b) => seqs[b].tokens.length - seqs[a].tokens.length || a - b);
  const out: MicroBatch[] = [];
  let i = 0;
  while (i < order.length) {
    const T = seqs[order[i]].tokens.length;
    const rowsFit = Math.max(1, Math.floor(tokenBudget / T));
    const rows = order.slice(i, i + rowsFit);
    out.push(packRows(seqs, rows, T));
    i += rows.length;
  }
  return out;
}

function packRows(seqs: TrainingSequence[], rows: number[], T: number): MicroBatch {
  const B = rows.length;
  const tokens = new Int32Array(B * T).fill(SPECIAL.pad);
  const mask = new Float32Array(B * T);
  rows.forEach((s, b) => {
    const seq = seqs[s];
    tokens.set(seq.tokens, b * T);
    for (let j = seq.completionStart; j < seq.tokens.length; j++) mask[b * T + j - 1] = 1;
  });
  return { rows, tokens, B, T, mask };
}

/** Completion-token values of row b of a [B, T] array, in order. */
export function completionValues(values: ArrayLike<number>, seq: TrainingSequence, b: number, T: number): number[] {
  const out: number[] = [];
  for (let j = seq.completionStart; j < seq.tokens.length; j++) out.push(values[b * T + j - 1]);
  return out;
}

/** Scatter per-sequence completion values into a [B, T] array aligned with `mask`. */
export function scatterCompletion(mb: MicroBatch, seqs: TrainingSequence[], perSeq: (s: number) => number[]): Float32Array {
  const out = new Float32Array(mb.B * mb.T);
  mb.rows.forEach((s, b) => {
    const seq = seqs[s];
    const vals = perSeq(s);
    for (let j = seq.completionStart; j < seq.tokens.length; j++) out[b * mb.T + j - 1] = vals[j - seq.completionStart];
  });
  return out;
}
