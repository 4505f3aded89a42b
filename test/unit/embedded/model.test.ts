import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initParams, tokenLogprobs, countParams, type ParamMap } from '../../../src/embedded/model';
import { Rng } from '../../../src/embedded/rng';
import { setupTf, tinyConfig } from './helpers';
import type { ModelConfig } from '../../../src/embedded/config';

// A fixed weighting of every position's logprob exercises all paths (attention across positions, head, embeddings).
function weightedLoss(p: ParamMap, c: ModelConfig, tokens: Int32Array, B: number, T: number, w: tf.Tensor2D): tf.Scalar {
  return tf.sum(tf.mul(tokenLogprobs(p, c, tokens, B, T), w)) as tf.Scalar;
}

describe('embedded model', () => {
  before(setupTf);

  for (const tied of [true, false]) {
    it(`analytic gradients match central finite differences along a random direction, every tensor (tiedEmbeddings=${tied})`, () => {
      // Tiny (d=8, T=6) so float32 finite differences are well conditioned; a larger init std gives non-trivial gradients.
      const c = tinyConfig({ dModel: 8, nHead: 2, nLayer: 2, contextLength: 8, maxPromptTokens: 6, initStd: 0.5, tiedEmbeddings: tied });
      const p = initParams(c);
      const B = 2, T = 6;
      const tokens = Int32Array.from([3, 5, 7, 3, 9, 5, 7, 7, 3, 5, 9, 11]);
      const rng = new Rng(1);
      const wData = new Float32Array(B * T).map((_, i) => ((i + 1) % T === 0 ? 0 : rng.next() * 2 - 1));
      const w = tf.tensor2d(wData, [B, T]);
      const names = [...p.keys()];
      const vars = names.map((n) => p.get(n) as tf.Variable);
      const { grads } = tf.variableGrads(() => weightedLoss(p, c, tokens, B, T, w), vars);
      const loss = () => tf.tidy(() => weightedLoss(p, c, tokens, B, T, w).dataSync()[0]);
      // Per tensor, two unit directions: a seeded random one, and the analytic gradient's own
      // (the loss must then rise by |grad| per unit step). A gradient that is wrong anywhere
      // (transposed, a row swapped, a sign) fails one of them; one probed element on a diagonal would not.
      const h = 1e-2;
      const along = (v: tf.Variable, u: Float32Array): number => {
        const x0 = (v.dataSync() as Float32Array).slice();
        v.assign(tf.tensor(x0.map((x, i) => x + h * u[i]), v.shape));
        const up = loss();
        v.assign(tf.tensor(x0.map((x, i) => x - h * u[i]), v.shape));
        const down = loss();
        v.assign(tf.tensor(x0, v.shape));
        return (up - down) / (2 * h);
      };
      const unit = (xs: Float32Array) => {
        const norm = Math.hypot(...xs);
        return xs.map((x) => x / norm);
      };
      for (const name of names) {
        const v = p.get(name) as tf.Variable;
        const g = grads[v.name].dataSync() as Float32Array;
        const directions = { random: unit(new Float32Array(g.length).map(() => rng.next() * 2 - 1)), gradient: unit(g) };
        for (const [kind, u] of Object.entries(directions)) {
          const analytic = g.reduce((s, gi, i) => s + gi * u[i], 0);
          const fd = along(v, u);
          const tol = 2e-2 * Math.max(Math.abs(fd), Math.abs(analytic)) + 2e-3;
          assert.ok(Math.abs(fd - analytic) <= tol, `${name} along the ${kind} direction: analytic ${analytic} vs finite-difference ${fd}`);
        }
        assert.ok(Math.hypot(...g) > 0.1, `${name}: a non-trivial gradient, so the check means something`);
      }
      assert.ok(names.includes('h0.attn.wo') && (tied || names.includes('lmHead')), 'square and head weights are among the checked tensors');
      tf.dispose([w, ...Object.values(grads), ...p.values()]);
    });
  }

  it('same seed gives identical weights, different seed different ones', () => {
    const a = initParams(tinyConfig({ seed: 3 }));
    const b = initParams(tinyConfig({ seed: 3 }));
    const c = initParams(tinyConfig({ seed: 4 }));
    assert.deepEqual(Array.from(a.get('h0.attn.wqkv')!.dataSync()), Array.from(b.get('h0.attn.wqkv')!.dataSync()));
    assert.notDeepEqual(Array.from(a.get('h0.attn.wqkv')!.dataSync()), Array.from(c.get('h0.attn.wqkv')!.dataSync()));
    assert.equal(countParams(tinyConfig()), [...a.values()].reduce((s, t) => s + t.size, 0));
    tf.dispose([...a.values(), ...b.values(), ...c.values()]);
  });

  it('rejects a config whose width does not split into heads, saying how to fix it', () => {
    assert.throws(() => tinyConfig({ dModel: 10, nHead: 4 }), /divisible by nHead.*nHead 2/);
  });
});
