import { strict as assert } from 'node:assert';
import type { RunEvent } from '../../../../src/protocol/events';
import { instructionCandidates } from '../../../../src/engine/runs/instructionCandidates';

let seq = 0;
const ev = (e: Record<string, unknown>) => ({ v: 1, seq: seq++, ts: '2026-11-30T10:00:00.000Z', ...e }) as unknown as RunEvent;
const trial = (n: number, scope: 'minibatch' | 'full', score: number, classify: number) =>
  ev({ type: 'prompt_trial', stage: 'p1', trial: n, candidateId: `p1/trial-${n}`, scope, score, size: 4, params: { classify: { instruction: classify, demoSet: 0 }, triage: { instruction: 0, demoSet: 0 } } });

describe('instruction candidates of p stages (panel view model)', () => {
  it('lists every instruction with the trials that used it, their best scores, and the accepted one', () => {
    const events = [
      ev({ type: 'stage_started', stage: 'p1', kind: 'p' }),
      ev({ type: 'prompt_instructions', stage: 'p1', module: 'classify', instructions: ['Name the intent.', 'Pick one label.', 'Classify it.'], proposer: 'writer at http://127.0.0.1:1/v1', dropped: 1 }),
      trial(0, 'full', 0.25, 0),
      trial(1, 'minibatch', 0.5, 1),
      trial(2, 'minibatch', 0.75, 1),
      trial(1, 'full', 0.6, 1),
      trial(3, 'minibatch', 0.0, 2),
      ev({ type: 'prompt_candidate', stage: 'p1', module: 'classify', candidateId: 'p1/trial-1', parent: 'start', instructions: 'Pick one label.', demos: [], score: 0.6, changed: true }),
    ];
    const [view, ...rest] = instructionCandidates(events);
    assert.equal(rest.length, 0, 'only modules with proposals');
    assert.deepEqual({ stage: view!.stage, module: view!.module, dropped: view!.dropped }, { stage: 'p1', module: 'classify', dropped: 1 });
    assert.deepEqual(view!.items, [
      { index: 0, text: 'Name the intent.', trials: 1, bestFull: 0.25, chosen: false },
      { index: 1, text: 'Pick one label.', trials: 3, bestMinibatch: 0.75, bestFull: 0.6, chosen: true },
      { index: 2, text: 'Classify it.', trials: 1, bestMinibatch: 0, chosen: false },
    ]);
  });

  it('counts only the last attempt of a stage a resumed run redid', () => {
    const events = [
      ev({ type: 'stage_started', stage: 'p1', kind: 'p' }),
      ev({ type: 'prompt_instructions', stage: 'p1', module: 'classify', instructions: ['old', 'stale'], proposer: 'w', dropped: 0 }),
      trial(1, 'minibatch', 0.9, 1),
      ev({ type: 'stage_started', stage: 'p1', kind: 'p' }),
      ev({ type: 'prompt_instructions', stage: 'p1', module: 'classify', instructions: ['old', 'fresh'], proposer: 'w', dropped: 0 }),
      trial(1, 'minibatch', 0.3, 1),
    ];
    const [view] = instructionCandidates(events);
    assert.deepEqual(view!.items.map((i) => [i.text, i.trials, i.bestMinibatch]), [['old', 0, undefined], ['fresh', 1, 0.3]]);
    assert.deepEqual(instructionCandidates([]), []);
  });
});
