import * as tf from '@tensorflow/tfjs-core';

export interface AdamWConfig {
  learningRate: number;
  weightDecay: number;
  /** Clip the global gradient norm to this (<= 0 disables). */
  maxGradNorm: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/**
 * AdamW with decoupled weight decay (p -= lr * wd * p, outside the adaptive
 * update) applied to matrices only: decaying LayerNorm gains/biases toward 0
 * would fight the normalisation. Moments live here, keyed by parameter name.
 */
export class AdamW {
  private readonly m = new Map<string, tf.Tensor>();
  private readonly v = new Map<string, tf.Tensor>();
  private t = 0;

  /** Applies one update; returns the global gradient norm before clipping. */
  step(params: Map<string, tf.Tensor>, grads: Map<string, tf.Tensor>, c: AdamWConfig): number {
    const b1 = c.beta1 ?? 0.9;
    const b2 = c.beta2 ?? 0.999;
    const eps = c.eps ?? 1e-8;
    const norm = globalNorm([...grads.values()]);
    const clip = c.maxGradNorm > 0 && norm > c.maxGradNorm ? c.maxGradNorm / (norm + 1e-6) : 1;
    this.t += 1;
    const bc1 = 1 - b1 ** this.t;
    const bc2 = 1 - b2 ** this.t;
    for (const [name, g0] of grads) {
      const p = params.get(name) as tf.Variable | undefined;
      if (!p) throw new Error(`Gradient for unknown parameter "${name}".`);
      const [m, v, next] = tf.tidy(() => {
        const g = tf.mul(g0, clip);
        const m1 = tf.add(tf.mul(this.m.get(name) ?? tf.zerosLike(g), b1), tf.mul(g, 1 - b1));
        const v1 = tf.add(tf.mul(this.v.get(name) ?? tf.zerosLike(g), b2), tf.mul(tf.square(g), 1 - b2));
        const update = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), eps));
        const decayed = p.rank >= 2 && c.weightDecay > 0 ? tf.mul(p, 1 - c.learningRate * c.weightDecay) : p;
        return [m1, v1, tf.sub(decayed, tf.mul(update, c.learningRate))];
      });
      p.assign(next);
      next.dispose();
      this.m.get(name)?.dispose();
      this.v.get(name)?.dispose();
      this.m.set(name, m);
      this.v.set(name, v);
    }
    return norm;
  }

  /** The live moments and step count, for a checkpoint (read them before the next step; do not dispose). */
  state(): OptimizerState {
    return { step: this.t, m: this.m, v: this.v };
  }

  /** Replaces the moments and step count with a checkpoint's (the optimizer takes ownership of the tensors). */
  restore(state: OptimizerState): void {
    this.dispose();
    this.t = state.step;
    for (const [k, t] of state.m) this.m.set(k, t);
    for (const [k, t] of state.v) this.v.set(k, t);
  }

  dispose(): void {
    tf.dispose([...this.m.values(), ...this.v.values()]);
    this.m.clear();
    this.v.clear();
  }
}

/** AdamW's state: first and second moments by parameter name, and the number of steps taken. */
export interface OptimizerState {
  step: number;
  m: Map<string, tf.Tensor>;
  v: Map<string, tf.Tensor>;
}

export function globalNorm(tensors: tf.Tensor[]): number {
  if (tensors.length === 0) return 0;
  const sq = tf.tidy(() => tf.addN(tensors.map((t) => tf.sum(tf.square(t)))));
  const value = Math.sqrt(sq.dataSync()[0]);
  sq.dispose();
  return value;
}
