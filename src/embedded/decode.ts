import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './config';
import { blockMlp, forwardHidden, getParam, headWeight, type ParamMap } from './model';
import { layerNormForward, pieces, tidyObj } from './ops';

/*
 * Inference forwards. The prefill reuses the training trunk (same ops, so
 * sampled logprobs match the trainer's), then decode steps attend over a
 * frozen, right-padded prompt cache plus a short growing tail. Splitting the
 * cache this way means a step copies only the tail, not the whole prompt.
 */

interface LayerKv {
  k: tf.Tensor4D; // [N, H, t, hd]
  v: tf.Tensor4D;
}

export interface KvCache {
  prefix: LayerKv[];
  /** Additive key mask [N, 1, 1, Tp]: -1e9 at a row's padding. */
  prefixMask: tf.Tensor4D;
  tail: LayerKv[] | null;
  /** Next position per row. */
  positions: number[];
}

export interface Prefill {
  /** Raw logits of the next token per prompt [R * V]. */
  logits: Float32Array;
  cache: KvCache;
}

/** Right-pad rows into one [B, T] token array. */
export function padBatch(rows: number[][], padId: number): { tokens: Int32Array; B: number; T: number } {
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.length));
  const tokens = new Int32Array(B * T).fill(padId);
  rows.forEach((r, b) => tokens.set(r, b * T));
  return { tokens, B, T };
}

/** Logits [B * V] of the last real position of each row, running the full trunk (also the no-cache decode path). */
export function lastLogits(p: ParamMap, c: ModelConfig, rows: number[][], padId: number): Float32Array {
  const logits = tf.tidy(() => {
    const { tokens, B, T } = padBatch(rows, padId);
    const { hidden } = forwardHidden(p, c, tf.tensor1d(tokens, 'int32'), B, T);
    const last = tf.gather(hidden, tf.tensor1d(rows.map((r, b) => b * T + r.length - 1), 'int32'));
    return tf.matMul(last, headWeight(p, c));
  });
  const data = logits.dataSync() as Float32Array;
  logits.dispose();
  return data;
}

export function prefill(p: ParamMap, c: ModelConfig, prompts: number[][], padId: number): Prefill {
  const { tokens, B, T } = padBatch(prompts, padId);
  const out = tidyObj(() => {
    const { hidden, kv } = forwardHidden(p, c, tf.tensor1d(tokens, 'int32'), B, T, { collectKv: true });
    const last = tf.gather(hidden, tf.tensor1d(prompts.map((r, b) => b * T + r.length - 1), 'int32'));
    const mask = new Float32Array(B * T);
    prompts.forEach((r, b) => mask.fill(-1e9, b * T + r.length, (b + 1) * T));
    return { logits: tf.matMul(last, headWeight(p, c)), kv, mask: tf.tensor4d(mask, [B, 1, 1, T]) };
  });
  const logits = out.logits.dataSync() as Float32Array;
  out.logits.dispose();
  return { logits, cache: { prefix: out.kv, prefixMask: out.mask, tail: null, positions: prompts.map((r) => r.length) } };
}

/** Keep (and reorder/duplicate) cache rows: n samples share one prefilled prompt; finished rows drop out. */
export function selectRows(cache: KvCache, rows: number[]): KvCache {
  const next = tidyObj(() => {
    const idx = tf.tensor1d(rows, 'int32');
    const pick = (l: LayerKv): LayerKv => ({ k: tf.gather(l.k, idx), v: tf.gather(l.v, idx) });
    return { prefix: cache.prefix.map(pick), prefixMask: tf.gather(cache.prefixMask, idx), tail: cache.tail ? cache.tail.map(pick) : null };
  });
  disposeCache(cache);
  return { ...next, positions: rows.map((r) => cache.positions[r]) };
}

export function disposeCache(cache: KvCache): void {
  const all: tf.Tensor[] = [cache.prefixMask];
  for (const l of [...cache.prefix, ...(cache.tail ?? [])]) all.push(l.k, l.v);
  tf.dispose(all);
}

/** Feed one token per row; returns raw logits [N * V] and advances the cache in place. */
export function decodeStep(p: ParamMap, c: ModelConfig, cache: KvCache, tokens: number[]): Float32Array {
  const N = tokens.length;
  const H = c.nHead;
  const hd = c.dModel / H;
  const out = tidyObj(() => {
    let x = tf.add(
      tf.gather(getParam(p, 'wte'), tf.tensor1d(tokens, 'int32')),
      tf.gather(getParam(p, 'wpe'), tf.tensor1d(cache.positions, 'int32')),
    ) as tf.Tensor2D;                                                                         // [N, d]
    const tail: LayerKv[] = [];
    for (let i = 0; i < c.nLayer; i++) {
      const w = (n: string) => getParam(p, `h${i}.${n}`);
      const h = layerNormForward(x, w('ln1.g'), w('ln1.b')) as tf.Tensor2D;
      const qkv = tf.transpose(tf.reshape(tf.matMul(h, w('attn.wqkv') as tf.Tensor2D), [N, 3, H, hd]), [1, 0, 2, 3]);
      const [q, k, v] = pieces3(qkv, N, H, hd);                                              // [N, H, 1, hd]
      const prev = cache.tail?.[i];
      const tk = prev ? tf.concat([prev.k, k], 2) : k;                                      // [N, H, t, hd]
      const tv = prev ? tf.concat([prev.v, v], 2) : v;
      const qs = tf.mul(q, 1 / Math.sqrt(hd)) as tf.Tensor4D;
      const pre = cache.prefix[i];
      const sP = tf.add(tf.matMul(qs, pre.k, false, true), cache.prefixMask);               // [N, H, 1, Tp]
      const sT = tf.matMul(qs, tk, false, true);                                            // [N, H, 1, t]
      const probs = tf.softmax(tf.concat([sP, sT], 3));
      const [pP, pT] = tf.split(probs, [pre.k.shape[2], tk.shape[2]], 3);
      const o = tf.add(tf.matMul(pP, pre.v), tf.matMul(pT, tv));                            // [N, H, 1, hd]
      x = tf.add(x, tf.matMul(tf.reshape(o, [N, c.dModel]) as tf.Tensor2D, w('attn.wo') as tf.Tensor2D));
      x = tf.add(x, blockMlp(p, i, x));
      tail.push({ k: tk as tf.Tensor4D, v: tv as tf.Tensor4D });
    }
    const hidden = layerNormForward(x, getParam(p, 'lnf.g'), getParam(p, 'lnf.b')) as tf.Tensor2D;
    return { logits: tf.matMul(hidden, headWeight(p, c)), tail };
  });
  if (cache.tail) tf.dispose(cache.tail.flatMap((l) => [l.k, l.v]));
  cache.tail = out.tail;
  cache.positions = cache.positions.map((pos) => pos + 1);
  const logits = out.logits.dataSync() as Float32Array;
  out.logits.dispose();
  return logits;
}

/** [3, N, H, hd] -> three [N, H, 1, hd] (cheap re-wrap: tfjs-wasm slicing copies the whole input). */
function pieces3(x: tf.Tensor, N: number, H: number, hd: number): tf.Tensor4D[] {
  return pieces(x, N, H * hd).map((t) => tf.reshape(t, [N, H, 1, hd]) as tf.Tensor4D);
}
