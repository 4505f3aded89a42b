import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { forwardLogits } from '../../../src/embedded/model';
import { createTinyBackend } from '../../../src/embedded/tinyBackend';
import { setupTf, tinyConfig } from './helpers';

describe('embedded checkpoints', () => {
  let root: string;
  before(async () => {
    await setupTf();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mmgrpo-ckpt-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('save then load reproduces identical logits, and saving again replaces atomically', async () => {
    // Untied head so every parameter kind goes through the file.
    const a = await createTinyBackend({ config: tinyConfig({ tiedEmbeddings: false, seed: 11 }) });
    await a.grpoStep([[
      { messages: [{ role: 'user', content: 'q' }], completion: 'yes', reward: 1 },
      { messages: [{ role: 'user', content: 'q' }], completion: 'no', reward: 0 },
    ]], { learning_rate: 1e-2, beta: 0, epsilon_low: 0.2, epsilon_high: 0.2, loss_type: 'grpo', scale_rewards: true, max_grad_norm: 1, weight_decay: 0.1, num_iterations: 1, max_completion_length: 8, temperature: 1 });
    const dir = path.join(root, 'models', 'm1');
    await a.saveCheckpoint(dir);
    await a.saveCheckpoint(dir);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['config.json', 'tokenizer.json', 'training.bin', 'training.json', 'weights.bin', 'weights.json']);
    assert.deepEqual(fs.readdirSync(path.dirname(dir)), ['m1'], 'no temp or old dirs left behind');
    const b = await createTinyBackend({ checkpointDir: dir });
    assert.deepEqual(b.config, a.config);
    const tokens = tf.tensor1d([257, 104, 105, 259, 258], 'int32');
    const la = tf.tidy(() => forwardLogits(a.params, a.config, tokens, 1, 5)).dataSync();
    const lb = tf.tidy(() => forwardLogits(b.params, b.config, tokens, 1, 5)).dataSync();
    assert.deepEqual(Array.from(lb), Array.from(la));
    await a.dispose();
    await b.dispose();
  });

  it('a run resumed from a checkpoint (--resume-training) takes exactly the updates the uninterrupted run takes', async () => {
    const cfg = { learning_rate: 1e-2, beta: 0.05, epsilon_low: 0.2, epsilon_high: 0.2, loss_type: 'grpo' as const, scale_rewards: true, max_grad_norm: 1, weight_decay: 0.1, num_iterations: 1, max_completion_length: 8, temperature: 1 };
    const group = [
      { messages: [{ role: 'user' as const, content: 'q' }], completion: 'yes', reward: 1 },
      { messages: [{ role: 'user' as const, content: 'q' }], completion: 'no', reward: 0 },
    ];
    const flat = (b: { params: Map<string, tf.Tensor> }) => [...b.params.values()].flatMap((t) => Array.from(t.dataSync()));
    const straight = await createTinyBackend({ config: tinyConfig({ seed: 5 }) });
    for (let i = 0; i < 2; i++) await straight.grpoStep([group], cfg);
    const dir = path.join(root, 'resume');
    await straight.saveCheckpoint(dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'training.json'), 'utf8')) as { optimizerStep: number; tensors: { name: string }[] };
    assert.equal(manifest.optimizerStep, 2);
    const kinds = new Set(manifest.tensors.map((t) => t.name.split('/')[0]));
    assert.deepEqual([...kinds].sort(), ['m', 'ref', 'v'], 'moments and the KL reference (beta > 0) are saved');
    await straight.grpoStep([group], cfg);

    const resumed = await createTinyBackend({ checkpointDir: dir, resumeTraining: true });
    await resumed.grpoStep([group], cfg);
    assert.deepEqual(flat(resumed), flat(straight), 'bit-identical weights after the step that follows the resume');

    // Loading the same weights without the training state (a new stage, an evaluation) starts fresh moments.
    const fresh = await createTinyBackend({ checkpointDir: dir });
    await fresh.grpoStep([group], cfg);
    assert.notDeepEqual(flat(fresh), flat(straight));
    await Promise.all([straight.dispose(), resumed.dispose(), fresh.dispose()]);
  });

  it('a damaged training state is an error that says how to fall back to the weights', async () => {
    const a = await createTinyBackend({ config: tinyConfig({ seed: 6 }) });
    const dir = path.join(root, 'damaged');
    await a.saveCheckpoint(dir);
    fs.writeFileSync(path.join(dir, 'training.json'), '{"format": "something else"}');
    await assert.rejects(createTinyBackend({ checkpointDir: dir, resumeTraining: true }), /training\.json\/training\.bin are not in format mmgrpo-tiny-training\/1\. Delete both files to use the weights alone/);
    await a.dispose();
  });

  it('loading a broken checkpoint names the file and what was expected', async () => {
    const dir = path.join(root, 'broken');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(tinyConfig()));
    await assert.rejects(createTinyBackend({ checkpointDir: dir }), /missing tokenizer\.json/);
  });
});
