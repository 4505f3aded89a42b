import { strict as assert } from 'node:assert';
import { progressPlan, reduceProgress, withPlan, type RunProgress } from '../../../../src/extension/tasks/runProgress';
import type { RunEvent, StepFinishedEvent } from '../../../../src/protocol/events';
import { ev, manifest } from '../helpers';

// A "p -> w" run as the CLI streams it: a prompt stage of 2 trials, then 4 MMGRPO
// steps of 8 rollouts each, with a validation inside the weights stage.
const stepDone = (step: number) => ev<StepFinishedEvent>({ type: 'step_finished', stage: 'w1', step, groups: [], modules: [], trainer: {}, rewardMean: 0.5, rewardStd: 0.1, rollouts: { total: 8, formatFailures: 0, failures: 0 }, budget: { lmCalls: 0, tokens: 0, seconds: 0 } });
const progress = (stage: string, done: number, total: number) => ev<RunEvent>({ type: 'progress', stage, done, total } as never);
const stage = (id: string, label: string) => ev<RunEvent>({ type: 'stage_started', stage: id, label } as never);
const stepStart = (step: number) => ev<RunEvent>({ type: 'step_started', stage: 'w1', step, datasetIndices: [] } as never);

const PLAN = progressPlan(manifest({ id: 'r', taskFile: '/w/t.ts', kind: 'optimize', config: { strategy: 'p -> w', mmgrpo: { steps: 4 }, warmStart: { epochs: 0 } } }));

function fold(events: RunEvent[]): RunProgress[] {
  let p = withPlan({ message: '' }, PLAN);
  return events.map((e) => (p = reduceProgress(p, e)));
}

describe('run progress (the notification and status bar)', () => {
  it('reads the run shape from run.json: stages of the strategy (+ a warm start) and steps per weights stage', () => {
    assert.deepEqual(PLAN, { stages: 2, steps: 4 });
    assert.deepEqual(progressPlan(manifest({ id: 'e', taskFile: '/w/t.ts', kind: 'eval' })), { stages: 1 });
    assert.deepEqual(progressPlan(manifest({ id: 't', taskFile: '/w/t.ts', kind: 'train', config: { mmgrpo: { steps: 16 }, warmStart: { epochs: 4 } } })), { stages: 2, steps: 16 });
  });

  it('fills one bar over the whole run, never restarting at a stage or a step', () => {
    const states = fold([
      stage('p1', 'Prompt optimization p1'), progress('p1', 1, 2), progress('p1', 2, 2), progress('p1/val', 6, 12),
      stage('w1', 'MMGRPO (prompts frozen)'), progress('w1/val', 12, 12),
      stepStart(1), progress('w1', 4, 8), progress('w1', 8, 8), stepDone(1),
      stepStart(2), progress('w1', 8, 8), stepDone(2), stepStart(3), stepDone(3), stepStart(4), progress('w1', 4, 8), stepDone(4),
    ]);
    const f = states.map((s) => s.fraction!);
    for (let i = 1; i < f.length; i++) assert.ok(f[i]! >= f[i - 1]!, `the bar went back at event ${i}: ${f.join(', ')}`);
    // Half way after the prompt stage, then by steps: a quarter of the weights stage per step.
    assert.equal(states[3]!.fraction, 0.5);
    assert.equal(states[7]!.fraction, 0.5 + 0.5 * (0.5 / 4));
    assert.equal(states[9]!.fraction, 0.5 + 0.5 * (1 / 4));
    assert.equal(states[states.length - 1]!.fraction, 1);
    assert.ok(f.filter((x) => x === 1).length === 1, 'full only when the last step finished');
  });

  it('counts steps as steps ("step 3/4"), rollouts within a step, and says when it validates', () => {
    const states = fold([stage('w1', 'MMGRPO'), stepStart(1), stepDone(1), stepStart(2), stepDone(2), stepStart(3), progress('w1', 5, 8), progress('w1/val', 3, 12)]);
    assert.equal(states[5]!.message, 'step 3/4');
    assert.equal(states[6]!.message, 'step 3/4 · rollouts 5/8');
    assert.equal(states[7]!.message, 'step 3/4 · validating 3/12');
    assert.equal(states[7]!.fraction, states[6]!.fraction, 'validation does not move the bar');
  });

  it('claims no fraction before the plan is known, and is full when the run finishes', () => {
    let p: RunProgress = { message: '' };
    p = reduceProgress(p, stage('eval', 'Evaluate on val (12 examples)'));
    p = reduceProgress(p, progress('eval', 3, 12));
    assert.equal(p.fraction, undefined);
    p = withPlan(p, { stages: 1 });
    assert.equal(p.fraction, 0.25);
    assert.equal(p.message, 'Evaluate on val (12 examples) · 3/12');
    p = reduceProgress(p, ev<RunEvent>({ type: 'run_finished', status: 'completed' } as never));
    assert.equal(p.fraction, 1);
  });
});
