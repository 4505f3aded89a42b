import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
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
  });
});
