/**
 * Embedded tiny-model benchmark (prints ratios, never asserts on time).
 *   npx tsx bench/embeddedModel.ts
 *
 * FLOP counting: only matmul FLOPs (2*M*N*K per product), the convention of
 * "model FLOPs utilisation". A train step counts 3x the forward matmuls
 * (forward + input grads + weight grads): per token and layer 2*(3d^2 + d^2 +
 * 2*r*d^2) for qkv/out/MLP plus 2*2*T*d for QK^T and PV (the full T x T square
 * is computed, so it is counted), plus the one-hot embedding (2*V*d) and the
 * head (2*d*V). Elementwise work (LayerNorm, softmax, Adam) is not counted:
 * it is the overhead the ratio exposes. The reference is the same backend's
 * 1024^3 matmul in this process.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from '../src/embedded/config';
import { countParams } from '../src/embedded/model';
import { createTinyBackend, type TinyBackend } from '../src/embedded/tinyBackend';
import { initTfBackend } from '../src/embedded/tfBackend';
import type { GrpoMember, GrpoTrainConfig } from '../src/embedded/backend';
import { Rng } from '../src/embedded/rng';

function matmulFlops(): number {
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  // The tidy callbacks return nothing: tidy scans whatever is returned, and walking a 1M-element typed array dominates.
  tf.tidy(() => { tf.matMul(a, b).dataSync(); });
  const reps = 8;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) tf.tidy(() => { tf.matMul(a, b).dataSync(); });
  const s = (performance.now() - t0) / 1000;
  tf.dispose([a, b]);
  return (reps * 2 * 1024 ** 3) / s;
}

function trainFlopsPerSequence(c: ModelConfig, T: number): number {
  const d = c.dModel;
  const perTokenLayer = 2 * (3 * d * d + d * d + 2 * c.mlpRatio * d * d) + 2 * 2 * T * d;
  const perToken = c.nLayer * perTokenLayer + 2 * c.vocabSize * d * 2;
  return 3 * perToken * T;
}

const text = (rng: Rng, n: number) => Array.from({ length: n }, () => 'abcdefghij klmnopqrstuvwxyz.,'[rng.int(29)]).join('');

function trainBatch(rng: Rng, groups: number, size: number, promptChars: number, completionChars: number): GrpoMember[][] {
  return Array.from({ length: groups }, () => {
    const messages = [{ role: 'system' as const, content: text(rng, promptChars - 40) }, { role: 'user' as const, content: text(rng, 30) }];
    return Array.from({ length: size }, (_, i) => ({ messages, completion: text(rng, completionChars), reward: i % 2 }));
  });
}

async function benchTrain(b: TinyBackend, peak: number): Promise<void> {
  const cfg: GrpoTrainConfig = { learning_rate: 1e-4, beta: 0, epsilon_low: 0.2, epsilon_high: 0.2, loss_type: 'dapo', scale_rewards: true, max_grad_norm: 1, weight_decay: 0, num_iterations: 1, max_completion_length: 256, temperature: 1 };
  const rng = new Rng(1);
  for (const [promptChars, completionChars] of [[200, 50], [330, 170]]) {
    const groups = trainBatch(rng, 4, 8, promptChars, completionChars);
    const T = promptChars + completionChars + 7; // + role/end markers and end-of-turn, approximately
    await b.grpoStep(groups, cfg); // warm-up
    const reps = 2;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await b.grpoStep(groups, cfg);
    const s = (performance.now() - t0) / 1000 / reps;
    const flops = trainFlopsPerSequence(b.config, T) * 32;
    console.log(`train step, 32 seqs x ~${T} tokens: ${(s * 1000).toFixed(0)} ms, ${((32 * T) / s).toFixed(0)} tokens/s, ` +
      `${(flops / s / 1e9).toFixed(2)} GFLOP/s = ${((flops / s) / peak).toFixed(2)} of the 1024^2 matmul`);
  }
}

async function benchSampling(useKvCache: boolean): Promise<void> {
  const b = await createTinyBackend({ useKvCache });
  const rng = new Rng(2);
  const prompt = [{ role: 'system' as const, content: text(rng, 260) }, { role: 'user' as const, content: text(rng, 40) }];
  for (const concurrency of [1, 16]) {
    const req = (seed: number) => b.generate({ messages: prompt, temperature: 1, top_p: 1, max_tokens: 64, n: 1, seed, logprobs: true, top_logprobs: 0 });
    await req(0); // warm-up
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: concurrency }, (_, i) => req(i + 1)));
    const s = (performance.now() - t0) / 1000;
    const tokens = results.reduce((a, r) => a + r.completionTokens, 0);
    console.log(`sampling ${useKvCache ? 'with' : 'without'} KV cache, concurrency ${concurrency}: ${(tokens / s).toFixed(0)} tokens/s (${tokens} tokens, ~300-token prompt)`);
  }
  await b.dispose();
}

async function main(): Promise<void> {
  await initTfBackend();
  const peak = matmulFlops();
  const c = DEFAULT_MODEL_CONFIG;
  console.log(`backend ${tf.getBackend()}, 1024^2 matmul: ${(peak / 1e9).toFixed(1)} GFLOP/s`);
  console.log(`default model: ${c.nLayer} layers, d=${c.dModel}, ${c.nHead} heads, context ${c.contextLength}, ${(countParams(c) / 1e6).toFixed(2)}M params`);
  const b = await createTinyBackend();
  await benchTrain(b, peak);
  await b.dispose();
  await benchSampling(true);
  await benchSampling(false);
}

void main();
