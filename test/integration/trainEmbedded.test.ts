import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunEvent } from '../../src/protocol/events';
import { resolveMMGRPOConfig } from '../../src/engine/optimize/mmgrpo/config';
import { runTraining } from '../../src/engine/optimize/mmgrpo/trainRun';
import { isProcessAlive, readRun } from '../../src/engine/runs';
import { loadTaskFile } from '../../src/engine/tasks/loadTask';

const root = resolve(__dirname, '..', '..');
const STEPS = 24;

/** Colour accuracy per expected colour on the val examples evaluated at `step`. */
function colourAccuracy(events: readonly RunEvent[], step: number): Record<string, number> {
  const seen: Record<string, { right: number; n: number }> = {};
  for (const e of events) {
    if (e.type !== 'example_evaluated' || e.step !== step || e.split !== 'val') continue;
    // The cue word decides the colour (see the task file).
    const want = String(e.inputs.word).startsWith('warm') ? 'red' : 'blue';
    const got = e.prediction?.colour;
    seen[want] ??= { right: 0, n: 0 };
    seen[want].n++;
    if (got === want) seen[want].right++;
  }
  return Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, v.right / v.n]));
}

// Real learning on the real embedded model (child process, HTTP, worker):
// GRPO alone, from random initialization, on a task tiny enough for CI. Judged
// on held-out inputs, at the last step (not the best of several evaluations),
// against the same run with learning rate ~0 (1e-12).
describe('MMGRPO on the embedded model (integration)', function () {
  this.timeout(1_200_000);
  let ws: string;
  before(() => {
    ws = mkdtempSync(join(tmpdir(), 'mmgrpo-int-'));
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  async function train(learningRate: number) {
    const { task, file } = await loadTaskFile(join(root, 'test', 'fixtures', 'tasks', 'tinyChoice.ts'));
    const config = resolveMMGRPOConfig({
      steps: STEPS, examplesPerStep: 4, rolloutsPerExample: 16, valEvery: 8, seed: 3, concurrency: 16, maxTokens: 8,
      trainer: { learningRate, lossType: 'dapo' },
    });
    const out = await runTraining({
      task, taskFile: file, workspace: ws, config, warmStart: { epochs: 0, learningRate: 1e-3, batchSize: 16 },
      guidedChoice: true, adapter: 'chat',
      embedded: { backendOptions: { seed: 3, config: { contextLength: 96, maxPromptTokens: 80, dModel: 64, nLayer: 2, nHead: 4 } } },
    });
    assert.equal(out.status, 'completed');
    return { task, out, events: readRun(out.dir, isProcessAlive).events };
  }

  it('raises the held-out validation score above a constant answer and above the same run with learning rate ~0', async () => {
    const trained = await train(1e-2);
    const { task } = trained;
    const trainWords = new Set(task.trainset.map((r) => r.word));
    assert.ok(task.valset!.every((r) => !trainWords.has(r.word)), 'val inputs are held out');
    const start = trained.out.summary['val/start'];
    const final = trained.out.summary['val/final'];
    const byColour = colourAccuracy(trained.events, STEPS);
    console.log(`      held-out val: start ${start}, final ${final} (colour accuracy at the last step ${JSON.stringify(byColour)})`);
    // A constant answer scores 0.5 here (half of val per colour); the last step's score must beat it.
    assert.ok(final >= 0.75, `final held-out val ${final} (a constant answer scores 0.5)`);
    assert.ok(Object.keys(byColour).length === 2 && Object.values(byColour).every((a) => a >= 0.75), `both colours learned: ${JSON.stringify(byColour)}`);

    // The config accepts no 0; 1e-12 is a no-op in float32 (weights ~1e-2 move by ~1e-12 per step).
    const control = await train(1e-12);
    const controlFinal = control.out.summary['val/final'];
    console.log(`      lr~0 control: start ${control.out.summary['val/start']}, final ${controlFinal}`);
    assert.equal(control.out.summary['val/start'], start, 'same seed, same starting model');
    assert.ok(final >= controlFinal + 0.25, `trained ${final} vs lr~0 control ${controlFinal}`);

    const steps = trained.events.filter((e) => e.type === 'step_finished');
    assert.equal(steps.length, STEPS);
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
