import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './config';
import { validateModelConfig } from './config';
import { Rng, deriveSeed } from './rng';
import { attentionForward, causalSelfAttention, layerNorm, layerNormForward, linear, selectedLogprobs } from './ops';

/** Parameters by stable name (checkpoint keys); values are tf.Variables for the policy, plain tensors for a frozen copy. */
export type ParamMap = Map<string, tf.Tensor>;

export interface ParamSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'residual' | 'ones' | 'zeros';
}

/** Parameter list in a fixed order (the order seeds the init streams and lays out the weights file). */
export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const d = c.dModel;
  const m = c.mlpRatio * d;
  const specs: ParamSpec[] = [
    { name: 'wte', shape: [c.vocabSize, d], init: 'normal' },
    { name: 'wpe', shape: [c.contextLength, d], init: 'normal' },
  ];
  for (let i = 0; i < c.nLayer; i++) {
    specs.push(
      { name: `h${i}.ln1.g`, shape: [d], init: 'ones' },
      { name: `h${i}.ln1.b`, shape: [d], init: 'zeros' },
      { name: `h${i}.attn.wqkv`, shape: [d, 3 * d], init: 'normal' },
      { name: `h${i}.attn.wo`, shape: [d, d], init: 'residual' },
      { name: `h${i}.ln2.g`, shape: [d], init: 'ones' },
      { name: `h${i}.ln2.b`, shape: [d], init: 'zeros' },
      { name: `h${i}.mlp.w1`, shape: [d, m], init: 'normal' },
      { name: `h${i}.mlp.w2`, shape: [m, d], init: 'residual' },
    );
  }
  specs.push({ name: 'lnf.g', shape: [d], init: 'ones' }, { name: 'lnf.b', shape: [d], init: 'zeros' });
  if (!c.tiedEmbeddings) specs.push({ name: 'lmHead', shape: [d, c.vocabSize], init: 'normal' });
  return specs;
}

/** Seeded init computed in JS, so the same seed gives the same weights on any backend. */
export function initParams(c: ModelConfig): ParamMap {
  validateModelConfig(c);
  const params: ParamMap = new Map();
  paramSpecs(c).forEach((spec, idx) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (spec.init === 'ones') data.fill(1);
    if (spec.init === 'normal' || spec.init === 'residual') {
      const std = spec.init === 'residual' ? c.initStd / Math.sqrt(2 * c.nLayer) : c.initStd;
      const rng = new Rng(deriveSeed(c.seed, idx));
      for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
    }
    params.set(spec.name, tf.variable(tf.tensor(data, spec.shape), true));
  });
  return params;
}

export function getParam(p: ParamMap, name: string): tf.Tensor {
  const t = p.get(name);
  if (!t) throw new Error(`Model parameter "${name}" is missing; the weights do not match the model config.`);
  return t;
}

/** Output projection [d, V]: the transposed token embedding when tied. */
export function headWeight(p: ParamMap, c: ModelConfig): tf.Tensor2D {
  return (c.tiedEmbeddings ? tf.transpose(getParam(p, 'wte')) : getParam(p, 'lmHead')) as tf.Tensor2D;
}

/** tfjs-wasm 4.22's OneHot ignores dtype 'float32' (writes int32 bits, i.e. ~1e-45): build int32, then cast. */
function oneHotF32(ids: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(ids, depth), 'float32') as tf.Tensor2D;
}

/** tokens[B*T] (row-major [B, T]) -> residual stream x[N=B*T, d]. One-hot matmul because WASM lacks gather's gradient. */
function embed(p: ParamMap, c: ModelConfig, tokens: tf.Tensor1D, B: number, T: number): tf.Tensor2D {
  const onehot = oneHotF32(tokens, c.vocabSize);                                    // [N, V]
  const tokEmb = linear(onehot, getParam(p, 'wte') as tf.Tensor2D);                // [N, d]
  const pos = tf.slice(getParam(p, 'wpe'), [0, 0], [T, c.dModel]);                 // [T, d]
  return tf.reshape(tf.add(tf.reshape(tokEmb, [B, T, c.dModel]), pos), [B * T, c.dModel]);
}

export interface ForwardOptions {
  /** Record per-layer K and V ([B, H, T, hd]) for a KV cache; uses the tape-free attention path. */
  collectKv?: boolean;
}

export interface ForwardResult {
  /** Final normalized hidden states [N, d]. */
  hidden: tf.Tensor2D;
  kv: { k: tf.Tensor4D; v: tf.Tensor4D }[];
}

/** The transformer trunk over a right-padded batch tokens[B, T] (padding after a row's end never affects it: causal). */
export function forwardHidden(p: ParamMap, c: ModelConfig, tokens: tf.Tensor1D, B: number, T: number, opts: ForwardOptions = {}): ForwardResult {
  if (T > c.contextLength) throw new Error(`Sequence length ${T} exceeds the model context (${c.contextLength}).`);
  const shape = { B, T, H: c.nHead };
  const hd = c.dModel / c.nHead;
  let x = embed(p, c, tokens, B, T);                                                 // [N, d]
  const kv: ForwardResult['kv'] = [];
  for (let i = 0; i < c.nLayer; i++) {
    const w = (n: string) => getParam(p, `h${i}.${n}`);
    const h = layerNorm(x, w('ln1.g') as tf.Tensor1D, w('ln1.b') as tf.Tensor1D);   // [N, d]
    const qkv = linear(h, w('attn.wqkv') as tf.Tensor2D);                           // [N, 3d]
    let att: tf.Tensor2D;
    if (opts.collectKv) {
      const f = attentionForward(qkv, shape);
      att = f.out;
      const cacheOf = (list: tf.Tensor2D[]) => tf.reshape(tf.stack(list), [B, c.nHead, T, hd]) as tf.Tensor4D;
      kv.push({ k: cacheOf(f.parts.k), v: cacheOf(f.parts.v) });
    } else {
      att = causalSelfAttention(qkv, shape);                                       // [N, d]
    }
    x = tf.add(x, linear(att, w('attn.wo') as tf.Tensor2D));
    const h2 = layerNorm(x, w('ln2.g') as tf.Tensor1D, w('ln2.b') as tf.Tensor1D);
    const mlp = linear(tf.relu(linear(h2, w('mlp.w1') as tf.Tensor2D)), w('mlp.w2') as tf.Tensor2D); // [N, d]
    x = tf.add(x, mlp);
  }
  const hidden = layerNorm(x, getParam(p, 'lnf.g') as tf.Tensor1D, getParam(p, 'lnf.b') as tf.Tensor1D);
  return { hidden, kv };
}

/** Raw logits [N, V] for every position. */
export function forwardLogits(p: ParamMap, c: ModelConfig, tokens: tf.Tensor1D, B: number, T: number): tf.Tensor2D {
  return linear(forwardHidden(p, c, tokens, B, T).hidden, headWeight(p, c));
}

/**
 * out[b, t] = log p(tokens[b, t+1] | tokens[b, <=t]) from raw logits
 * (temperature-free, the definition the sampler reports). Last column: 0-target filler, always masked.
 */
export function tokenLogprobs(p: ParamMap, c: ModelConfig, tokens: Int32Array, B: number, T: number): tf.Tensor2D {
  const targets = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T - 1; t++) targets[b * T + t] = tokens[b * T + t + 1];
  const logits = forwardLogits(p, c, tf.tensor1d(tokens, 'int32'), B, T);              // [N, V]
  const onehot = oneHotF32(tf.tensor1d(targets, 'int32'), c.vocabSize);
  return tf.reshape(selectedLogprobs(logits, onehot), [B, T]);
}

/** Tape-free LayerNorm + projections used by the decode step. */
export function blockMlp(p: ParamMap, i: number, x: tf.Tensor2D): tf.Tensor2D {
  const w = (n: string) => getParam(p, `h${i}.${n}`);
  const h = layerNormForward(x, w('ln2.g'), w('ln2.b')) as tf.Tensor2D;
  return tf.matMul(tf.relu(tf.matMul(h, w('mlp.w1') as tf.Tensor2D)), w('mlp.w2') as tf.Tensor2D);
}

export function countParams(c: ModelConfig): number {
  return paramSpecs(c).reduce((acc, s) => acc + s.shape.reduce((a, b) => a * b, 1), 0);
}
