import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveMMGRPOConfig } from '../../src/engine/optimize/mmgrpo/config';
import { runTraining } from '../../src/engine/optimize/mmgrpo/trainRun';
import { isProcessAlive, readRun } from '../../src/engine/runs';
import { loadTaskFile } from '../../src/engine/tasks/loadTask';

const root = resolve(__dirname, '..', '..');

// Real learning on the real embedded model (child process, HTTP, worker):
// GRPO alone, from random initialization, on a task tiny enough for CI.
describe('MMGRPO on the embedded model (integration)', function () {
  this.timeout(600_000);
  let ws: string;
  before(() => {
    ws = mkdtempSync(join(tmpdir(), 'mmgrpo-int-'));
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  it('raises the validation score', async () => {
    const { task, file } = await loadTaskFile(join(root, 'test', 'fixtures', 'tasks', 'tinyChoice.ts'));
    const config = resolveMMGRPOConfig({
      steps: 24, examplesPerStep: 4, rolloutsPerExample: 16, valEvery: 8, seed: 3, concurrency: 16, maxTokens: 8,
      trainer: { learningRate: 1e-2, lossType: 'dapo' },
    });
    const out = await runTraining({
      task, taskFile: file, workspace: ws, config, warmStart: { epochs: 0, learningRate: 1e-3, batchSize: 16 },
      guidedChoice: true, adapter: 'chat',
      embedded: { backendOptions: { seed: 3, config: { contextLength: 96, maxPromptTokens: 80, dModel: 64, nLayer: 2, nHead: 4 } } },
    });
    assert.equal(out.status, 'completed');
    const start = out.summary['val/start'];
    const best = out.summary['val/best'];
    assert.ok(best > start + 0.2, `val should rise: start ${start}, best ${best}`);
    const run = readRun(out.dir, isProcessAlive);
    const steps = run.events.filter((e) => e.type === 'step_finished');
    assert.equal(steps.length, 24);
    assert.ok(steps.some((e) => e.type === 'step_finished' && (e.trainer['trainer/loss'] ?? 0) !== 0), 'the trainer reported real losses');

    // Kept on disk: the initial, every best and the latest weights; only the latest (the
    // resume point) keeps its training state (optimizer moments, 2x the weights).
    const kept = steps.map((e) => (e.type === 'step_finished' ? e.checkpointDir : undefined)).filter((d): d is string => d !== undefined && existsSync(d));
    const last = steps[steps.length - 1];
    const lastDir = last.type === 'step_finished' ? last.checkpointDir : undefined;
    assert.ok(lastDir && kept.includes(lastDir), 'the latest checkpoint is kept');
    assert.ok(kept.length < steps.length, `older checkpoints are discarded (${kept.length} of ${steps.length} kept)`);
    const withState = kept.filter((d) => readdirSync(d).includes('training.json'));
    assert.deepEqual(withState, [lastDir], 'only the resume point keeps its training state');
  });
});
