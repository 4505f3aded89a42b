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

function setElement(v: tf.Variable, index: number, value: number): void {
  const data = (v.dataSync() as Float32Array).slice();
  data[index] = value;
  v.assign(tf.tensor(data, v.shape));
}

describe('embedded model', () => {
  before(setupTf);

  for (const tied of [true, false]) {
    it(`analytic gradients match central finite differences (tiedEmbeddings=${tied})`, () => {
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
      const probes: [string, number][] = [
        ['wte', 5 * 8 + 1], ['wpe', 2 * 8 + 3], ['h0.attn.wqkv', 1], ['h0.attn.wqkv', 8 + 2], ['h1.attn.wqkv', 16 + 5],
        ['h1.attn.wo', 9], ['h0.mlp.w1', 4], ['h1.mlp.w2', 7], ['h0.ln1.g', 2], ['h1.ln2.b', 5], ['lnf.g', 0],
        ...(tied ? [] : [['lmHead', 3 * 261 + 7] as [string, number]]),
      ];
      const h = 1e-2;
      let checked = 0;
      for (const [name, idx] of probes) {
        const v = p.get(name) as tf.Variable;
        const g = grads[v.name].dataSync()[idx];
        const x0 = v.dataSync()[idx];
        setElement(v, idx, x0 + h);
        const up = tf.tidy(() => weightedLoss(p, c, tokens, B, T, w).dataSync()[0]);
        setElement(v, idx, x0 - h);
        const down = tf.tidy(() => weightedLoss(p, c, tokens, B, T, w).dataSync()[0]);
        setElement(v, idx, x0);
        const fd = (up - down) / (2 * h);
        const tol = 2e-2 * Math.max(Math.abs(fd), Math.abs(g)) + 2e-3;
        assert.ok(Math.abs(fd - g) <= tol, `${name}[${idx}]: analytic ${g} vs finite-difference ${fd}`);
        if (Math.abs(g) > 1e-2) checked++;
      }
      assert.ok(checked >= 6, `too few probes had a non-negligible gradient (${checked})`);
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
