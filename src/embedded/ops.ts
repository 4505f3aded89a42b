import * as tf from '@tensorflow/tfjs-core';

/*
 * Fused ops with hand-written gradients. Measured on tfjs-backend-wasm 4.22
 * (1 thread): a plain 2-D matMul runs ~27 GFLOP/s, but a matMul with a
 * transpose flag or a batch dimension > 1 falls off XNNPACK to ~2 GFLOP/s, and
 * tfjs's built-in matMul gradient uses exactly those transpose flags. So every
 * gradient here is written with explicit (cheap) transposes and 2-D matmuls,
 * and attention loops its per-(sequence, head) products as 2-D matmuls.
 */

const LN_EPS = 1e-5;

type FusedForward = (
  inputs: tf.Tensor[],
  save: tf.GradSaveFunc,
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

/** tf.customGrad with the inputs as an array (tfjs passes `save` as the last positional argument). */
function fused(fwd: FusedForward): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const r = fwd(args.slice(0, -1) as tf.Tensor[], save);
    return { value: r.value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => r.gradFunc(dy, saved) };
  });
  return (...inputs: tf.Tensor[]) => op(...inputs);
}

/** tf.tidy for functions returning objects of tensors (tidy keeps every tensor it finds in the result). */
export function tidyObj<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}

/** y[N, out] = x[N, in] @ w[in, out]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return linearOp(x, w) as tf.Tensor2D;
}

const linearOp = fused(([x, w], save) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy, saved) => {
      const [sx, sw] = saved as tf.Tensor2D[];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(sw)), tf.matMul(tf.transpose(sx), g)];
    },
  };
});

/** Plain forward LayerNorm over the last axis (inference path, no tape). */
export function layerNormForward(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const mu = tf.mean(x, -1, true);
  const xc = tf.sub(x, mu);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS));
  return tf.add(tf.mul(tf.mul(xc, rstd), g), b);
}

/** LayerNorm x[N, d] with gain/bias [d]; the closed-form backward is ~half the ops of autodiff. */
export const layerNorm = fused(([x, g, b], save) => {
  const mu = tf.mean(x, -1, true);
  const xc = tf.sub(x, mu);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS));
  const xhat = tf.mul(xc, rstd);
  save([xhat, rstd, g]);
  return {
    value: tf.add(tf.mul(xhat, g), b),
    gradFunc: (d, saved) => {
      const [sxhat, srstd, sg] = saved;
      const dxhat = tf.mul(d, sg);
      const dg = tf.sum(tf.mul(d, sxhat), 0);
      const db = tf.sum(d, 0);
      const centred = tf.sub(dxhat, tf.mean(dxhat, -1, true));
      const proj = tf.mul(sxhat, tf.mean(tf.mul(dxhat, sxhat), -1, true));
      return [tf.mul(srstd, tf.sub(centred, proj)), dg, db];
    },
  };
}) as (x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * log p(target) per row from raw logits[N, V] and one-hot targets[N, V]
 * (no temperature: the sampler reports the same quantity).
 */
export const selectedLogprobs = fused(([logits, onehot], save) => {
  const z = tf.sub(logits, tf.max(logits, -1, true));
  const lse = tf.log(tf.sum(tf.exp(z), -1));
  save([logits, onehot]);
  return {
    value: tf.sub(tf.sum(tf.mul(z, onehot), -1), lse),
    gradFunc: (dy, saved) => {
      const [sl, so] = saved;
      const d = tf.expandDims(dy, 1);
      return [tf.mul(d, tf.sub(so, tf.softmax(sl))), tf.zerosLike(so)];
    },
  };
}) as (logits: tf.Tensor2D, onehot: tf.Tensor2D) => tf.Tensor1D;

const maskCache = new Map<number, tf.Tensor2D>();

/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above (exp underflows to exactly 0). */
export function causalMask(T: number): tf.Tensor2D {
  let m = maskCache.get(T);
  if (!m) {
    const data = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) data[i * T + j] = -1e9;
    m = tf.keep(tf.tensor2d(data, [T, T]));
    maskCache.set(T, m);
  }
  return m;
}

export interface AttentionShape {
  B: number;
  T: number;
  H: number;
}

/**
 * Cut a tensor laid out as [n, rows, cols] into n 2-D tensors. tfjs-wasm's
 * Slice/Unpack copy the WHOLE input once per slice (measured 140 ms to unstack
 * [32,256,256]); reading the data once and re-wrapping contiguous subarrays
 * costs one memcpy. Optionally scales the values while copying.
 */
export function pieces(t: tf.Tensor, rows: number, cols: number, scale = 1): tf.Tensor2D[] {
  const data = t.dataSync() as Float32Array;
  const size = rows * cols;
  const n = data.length / size;
  const out: tf.Tensor2D[] = [];
  for (let i = 0; i < n; i++) {
    let chunk = data.subarray(i * size, (i + 1) * size);
    if (scale !== 1) chunk = chunk.map((x) => x * scale);
    out.push(tf.tensor2d(chunk, [rows, cols]));
  }
  return out;
}

/** Per-piece 2-D matmul a[i] @ b[i], stacked (the fast XNNPACK path; a batched matMul is ~10x slower). */
function pairMatMul(a: tf.Tensor2D[], b: tf.Tensor2D[]): tf.Tensor3D {
  return tf.stack(a.map((ai, i) => tf.matMul(ai, b[i]))) as tf.Tensor3D;
}

/** qkv[N=B*T, 3d] -> [B, 3H, T, hd] (q heads, then k heads, then v heads per sequence). 4-D transposes are fast in wasm, 5-D are not. */
export function headsMajor(qkv: tf.Tensor, s: AttentionShape): tf.Tensor4D {
  const hd = qkv.shape[1]! / 3 / s.H;
  return tf.transpose(tf.reshape(qkv, [s.B, s.T, 3 * s.H, hd]), [0, 2, 1, 3]) as tf.Tensor4D;
}

interface HeadPieces {
  q: tf.Tensor2D[]; // scaled, [T, hd] per (b, h)
  k: tf.Tensor2D[];
  v: tf.Tensor2D[];
  kT: tf.Tensor2D[]; // [hd, T]
  vT: tf.Tensor2D[];
}

function headPieces(x: tf.Tensor4D, s: AttentionShape, scale: number): HeadPieces {
  const [T, hd] = [s.T, x.shape[3]];
  const all = pieces(x, T, hd);
  const allT = pieces(tf.transpose(x, [0, 1, 3, 2]), hd, T);
  const pick = (arr: tf.Tensor2D[], j: number) => arr.filter((_, i) => Math.floor((i % (3 * s.H)) / s.H) === j);
  const q = pieces(tf.stack(pick(all, 0)), T, hd, scale);
  return { q, k: pick(all, 1), v: pick(all, 2), kT: pick(allT, 1), vT: pick(allT, 2) };
}

/** [B*H, T, hd] per-head outputs -> [N, d]. */
function mergeHeads(o: tf.Tensor3D, s: AttentionShape): tf.Tensor2D {
  const hd = o.shape[2];
  return tf.reshape(tf.transpose(tf.reshape(o, [s.B, s.H, s.T, hd]), [0, 2, 1, 3]), [s.B * s.T, s.H * hd]) as tf.Tensor2D;
}

export interface AttentionForward {
  out: tf.Tensor2D;      // [N, d]
  p: tf.Tensor3D;        // [BH, T, T]
  parts: HeadPieces;
}

/** Causal multi-head attention from fused qkv (no tape). */
export function attentionForward(qkv: tf.Tensor2D, s: AttentionShape): AttentionForward {
  const hd = qkv.shape[1] / 3 / s.H;
  const parts = headPieces(headsMajor(qkv, s), s, 1 / Math.sqrt(hd));
  const scores = pairMatMul(parts.q, parts.kT);                                  // [BH, T, T]
  const p = tf.softmax(tf.add(scores, causalMask(s.T))) as tf.Tensor3D;           // [BH, T, T]
  const o = pairMatMul(pieces(p, s.T, s.T), parts.v);                            // [BH, T, hd]
  return { out: mergeHeads(o, s), p, parts };
}

/** Multi-head causal self-attention on fused qkv[N, 3d] -> [N, d], with a fused backward. */
export function causalSelfAttention(qkv: tf.Tensor2D, s: AttentionShape): tf.Tensor2D {
  const op = fused(([x], save) => {
    const f = attentionForward(x as tf.Tensor2D, s);
    const { q, k, vT } = f.parts;
    save([f.p, tf.stack(q), tf.stack(k), tf.stack(vT)]); // v itself is not needed: dP uses vT
    return { value: f.out, gradFunc: (dy, saved) => [attentionBackward(dy, saved, s)] };
  });
  return op(qkv) as tf.Tensor2D;
}

function attentionBackward(dy: tf.Tensor, saved: tf.Tensor[], s: AttentionShape): tf.Tensor {
  const [p, qS, kS, vTS] = saved;
  const [T, hd] = [s.T, qS.shape[2]!];
  const scale = 1 / Math.sqrt(hd);
  const dO = pieces(tf.transpose(tf.reshape(dy, [s.B, s.T, s.H, hd]), [0, 2, 1, 3]), T, hd);
  const dP = pairMatMul(dO, pieces(vTS, hd, T));                                 // [BH, T, T]
  const dV = pairMatMul(pieces(tf.transpose(p, [0, 2, 1]), T, T), dO);           // [BH, T, hd]
  const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true)));              // softmax backward
  const dQ = pairMatMul(pieces(dS, T, T, scale), pieces(kS, T, hd));             // [BH, T, hd]
  const dK = pairMatMul(pieces(tf.transpose(dS, [0, 2, 1]), T, T), pieces(qS, T, hd));
  const per = (t: tf.Tensor3D) => tf.reshape(t, [s.B, s.H, T, hd]);
  const dX = tf.concat([per(dQ), per(dK), per(dV)], 1);                            // [B, 3H, T, hd]
  return tf.reshape(tf.transpose(dX, [0, 2, 1, 3]), [s.B * s.T, 3 * s.H * hd]);
}
