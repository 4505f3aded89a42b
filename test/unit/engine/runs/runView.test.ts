import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEventInput } from '../../../../src/protocol/events';
import { RunWriter, isProcessAlive, readRun, type RunRead } from '../../../../src/engine/runs';
import { buildRunView } from '../../../../src/engine/runs/runView';
import { STAGE, finished, manifest, rollout, writeCrashedTrainRun } from '../../webview/fixtures';

describe('buildRunView', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'runview-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('counts only finished steps and takes the redone attempt of a crashed step', () => {
    writeCrashedTrainRun(join(root, 'r'));
    const run = readRun(join(root, 'r'), isProcessAlive);
    const view = buildRunView(run);
    assert.deepEqual(view.steps.map((s) => s.step), [1, 2]);
    assert.deepEqual(view.reward, [{ step: 1, value: 0.5 }, { step: 2, value: 2 / 3 }]);
    assert.deepEqual(view.val, [{ step: 0, value: 0.2 }, { step: 2, value: 0.6 }]);
    assert.equal(view.steps[1].valScore, 0.6);
    assert.equal(view.rollouts?.step, 2);
    assert.deepEqual(view.rollouts?.items.map((r) => r.trace[0].completion), ['redone', 'answer 0/1', 'answer 0/2']);
    assert.deepEqual(view.modules, [{ module: 'answer', rewardMean: [{ step: 1, value: 0.5 }, { step: 2, value: 2 / 3 }], fracRewardZeroStd: [{ step: 1, value: 0.5 }, { step: 2, value: 0.5 }] }]);
    assert.equal(view.status, 'interrupted');
    assert.equal(view.revision, run.eventCount);
    assert.deepEqual(view.prompts, { answer: [{ id: 'start', label: 'start', instructions: 'Answer briefly.', demos: [] }] });
  });

  it('selects an earlier step, and gives no rollouts for a step that never finished', () => {
    writeCrashedTrainRun(join(root, 'r'));
    const run = readRun(join(root, 'r'), isProcessAlive);
    assert.equal(buildRunView(run, { step: 1 }).rollouts?.items.length, 2);
    assert.equal(buildRunView(run, { step: 3 }).rollouts, null);
  });

  it('keeps the last step_finished when a step was finished twice', () => {
    const base = readRunOf(root, [
      { type: 'rollouts', stage: STAGE, step: 1, rollouts: [rollout(0, 0, 0)] },
      finished(1, 0, [rollout(0, 0, 0)]),
      { type: 'rollouts', stage: STAGE, step: 1, rollouts: [rollout(0, 0, 1), rollout(0, 1, 1)] },
      finished(1, 1, [rollout(0, 0, 1)]),
    ]);
    const view = buildRunView(base);
    assert.deepEqual(view.reward, [{ step: 1, value: 1 }]);
    assert.equal(view.steps.length, 1);
    assert.equal(view.rollouts?.items.length, 2);
  });

  it('cuts the rollouts at maxRollouts and says how many there were', () => {
    const rs = Array.from({ length: 10 }, (_, i) => rollout(i, 0, i / 10));
    const view = buildRunView(readRunOf(root, [{ type: 'rollouts', stage: STAGE, step: 1, rollouts: rs }, finished(1, 0.45, rs)]), { maxRollouts: 3 });
    assert.equal(view.rollouts?.items.length, 3);
    assert.equal(view.rollouts?.total, 10);
  });

  it('shows an eval run as one val point and its examples as step-0 rollouts', () => {
    const w = RunWriter.create(join(root, 'e'), manifest('eval-1', 'eval'));
    w.append({ type: 'run_started', runId: 'eval-1', kind: 'eval', taskName: 'qa', taskFile: '/x/task.ts' });
    const trace = rollout(0, 0, 1).trace;
    w.append({ type: 'example_evaluated', stage: 'eval', split: 'val', index: 1, inputs: { q: 'b' }, prediction: { a: 'y' }, score: 0, error: 'timeout', trace, latencyMs: 3 });
    w.append({ type: 'example_evaluated', stage: 'eval', split: 'val', index: 0, inputs: { q: 'a' }, prediction: { a: 'x' }, score: 1, trace, latencyMs: 3 });
    w.append({ type: 'eval_finished', stage: 'eval', split: 'val', score: 0.5, count: 2, errors: 1 });
    w.append({ type: 'run_finished', status: 'completed', summary: { 'val/score': 0.5 } });
    w.close();
    const view = buildRunView(readRun(join(root, 'e'), isProcessAlive));
    assert.deepEqual(view.val, [{ step: 0, value: 0.5 }]);
    assert.deepEqual(view.steps, []);
    assert.equal(view.status, 'completed');
    assert.equal(view.summary['val/score'], 0.5);
    assert.equal(view.rollouts?.step, 0);
    assert.deepEqual(view.rollouts?.items.map((r) => [r.exampleIndex, r.reward, r.rewardKind, r.error]), [[0, 1, 'metric', undefined], [1, 0, 'failure', 'timeout']]);
    assert.deepEqual(view.rollouts?.items[0].outputs, { a: 'x' });
  });
});

let runCounter = 0;

function readRunOf(root: string, events: RunEventInput[]): RunRead {
  const dir = join(root, `r${++runCounter}`);
  const w = RunWriter.create(dir, manifest('x', 'train'));
  for (const e of events) w.append(e);
  w.close();
  return readRun(dir, isProcessAlive);
}
