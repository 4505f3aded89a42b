import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runComposition } from '../../src/engine/optimize/compose';
import { resolvePromptSettings } from '../../src/engine/optimize/compose/settings';
import { resolveMMGRPOConfig } from '../../src/engine/optimize/mmgrpo/config';
import { isProcessAlive, readRun } from '../../src/engine/runs';
import { loadTaskFile } from '../../src/engine/tasks/loadTask';
import type { Task } from '../../src/engine/tasks/types';

const root = resolve(__dirname, '..', '..');

// `p -> w` end to end on the real embedded model (child process, HTTP, worker)
// and the bundled Banking77 example, shrunk to a few examples so two cores
// finish in seconds: the point is the composition, not the scores.
describe('p -> w on the embedded model with examples/banking77 (integration)', function () {
  this.timeout(300_000);
  let ws: string;
  before(() => {
    ws = mkdtempSync(join(tmpdir(), 'optimize-int-'));
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  it('completes with a val score after each stage and the best program in result.json', async () => {
    const loaded = await loadTaskFile(join(root, 'examples', 'banking77', 'task.ts'));
    const task = { ...loaded.task, trainset: loaded.task.trainset.slice(0, 24), valset: loaded.task.valset!.slice(0, 12) } as Task;
    const out = await runComposition({
      task, taskFile: loaded.file, workspace: ws, strategy: 'p -> w',
      config: resolveMMGRPOConfig({ steps: 3, examplesPerStep: 2, rolloutsPerExample: 4, valEvery: 3, seed: 3, concurrency: 8, maxTokens: 40, trainer: { learningRate: 1e-3 } }),
      prompt: resolvePromptSettings({ trials: 3, minibatchSize: 4, fullEvalEvery: 2, maxDemos: 1, demoSets: 2, threshold: 0.5 }),
      warmStart: { epochs: 0, learningRate: 1e-3, batchSize: 16 }, guidedChoice: true, adapter: 'chat',
      embedded: { backendOptions: { seed: 3, config: { contextLength: 160, maxPromptTokens: 112, dModel: 64, nLayer: 2, nHead: 4 } } },
    });
    assert.equal(out.status, 'completed', out.reason);
    assert.deepEqual(out.stages.map((s) => s.stage), ['p1', 'mmgrpo']);
    for (const s of out.stages) assert.ok(s.valScore >= 0 && s.valScore <= 1, `${s.stage}: ${s.valScore}`);
    const run = readRun(out.dir, isProcessAlive);
    const closing = run.events.flatMap((e) => (e.type === 'eval_finished' && e.step === undefined ? [[e.stage, e.count]] : []));
    assert.deepEqual(closing, [['p1', 12], ['mmgrpo', 12]]);
    assert.ok(run.events.some((e) => e.type === 'prompt_trial'), 'p1 recorded its trials');
    assert.equal(run.events.filter((e) => e.type === 'step_finished').length, 3);
    assert.ok(out.best && out.best.valScore === Math.max(...out.stages.map((s) => s.valScore)));
  });
});
