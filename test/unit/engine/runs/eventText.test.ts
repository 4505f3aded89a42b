import { strict as assert } from 'node:assert';
import type { RunEvent } from '../../../../src/protocol/events';
import { describeEvent, errorTallyLines, eventNarrator } from '../../../../src/engine/runs/eventText';
import { humanPrinter } from '../../../../src/cli/progress';

const base = { v: 1, seq: 0, ts: '2026-01-01T00:00:00Z' };
const example = (index: number, error?: string, step?: number): RunEvent => ({ ...base, type: 'example_evaluated', stage: 'eval', step, split: 'val', index, inputs: {}, score: error ? 0 : 1, ...(error ? { error } : {}), trace: [], latencyMs: 1 });
const METRIC = 'The metric threw RangeError: index 3 out of range';
const PARSE = 'Could not parse the LM output. Parsed fields: none. Failed: field "n": "abc" is not a number.';

describe('event text shared by the CLI and the task terminal', () => {
  it('lists the distinct example errors with counts under the score line, most frequent first', () => {
    const narrate = eventNarrator();
    const events: RunEvent[] = [example(0, PARSE), example(1, METRIC), example(2), example(3, METRIC), example(4, METRIC), example(5, PARSE), example(6, `${METRIC}\n    at metric (task.ts:3:9)`)];
    for (const e of events) assert.deepEqual(narrate(e), []);
    const lines = narrate({ ...base, type: 'eval_finished', stage: 'eval', split: 'val', score: 1 / 7, count: 7, errors: 6 });
    assert.deepEqual(lines, ['  val score 14.3% over 7 examples, 6 with errors', `    4× ${METRIC}`, `    2× ${PARSE}`]);
  });

  it('shows the first three distinct errors and counts the rest; keeps each validation step apart', () => {
    const narrate = eventNarrator();
    for (const [i, m] of ['a', 'b', 'c', 'd', 'e'].entries()) narrate(example(i, `error ${m}`, 5));
    narrate(example(9, 'from step 10', 10));
    const lines = narrate({ ...base, type: 'eval_finished', stage: 'eval', step: 5, split: 'val', score: 0, count: 5, errors: 5 });
    assert.deepEqual(lines.slice(1), ['    1× error a', '    1× error b', '    1× error c', "    … and 2 more distinct errors (all in the run's events.jsonl)"]);
    assert.deepEqual(narrate({ ...base, type: 'eval_finished', stage: 'eval', step: 10, split: 'val', score: 0, count: 1, errors: 1 }).slice(1), ['    1× from step 10']);
  });

  it('lists failed rollouts\' errors under the step line', () => {
    const narrate = eventNarrator();
    const rollout = (error?: string) => ({ exampleIndex: 0, datasetIndex: 0, rolloutIndex: 0, teacher: 'student', inputs: {}, trace: [], reward: error ? 0 : 1, rewardKind: error ? ('failure' as const) : ('metric' as const), ...(error ? { error } : {}) });
    narrate({ ...base, type: 'rollouts', stage: 'mmgrpo', step: 1, rollouts: [rollout(METRIC), rollout(), rollout(METRIC)] });
    const lines = narrate({ ...base, type: 'step_finished', stage: 'mmgrpo', step: 1, groups: [], modules: [], trainer: {}, rewardMean: 0.333, rewardStd: 0.471, rollouts: { total: 3, formatFailures: 0, failures: 2 }, budget: { lmCalls: 3, tokens: 30, seconds: 1 } });
    assert.deepEqual(lines, ['  step 1: reward 0.333 ± 0.471, groups 0/0 trained, 2 failed rollouts', `    2× ${METRIC}`]);
  });

  it('clips very long messages', () => {
    const [line] = errorTallyLines(['x'.repeat(500)]);
    assert.equal(line, `    1× ${'x'.repeat(200)}…`);
  });

  it('describes prompt stages (full evaluations, stage summaries) for both printers', () => {
    assert.equal(describeEvent({ ...base, type: 'stage_summary', stage: 'p1', kind: 'p', valScore: 0.375, programState: { predictors: {} }, promptVersion: 'start', spent: { lmCalls: 0, tokens: 0, seconds: 0 } } as RunEvent), '  p1 done: val 37.5%');
  });

  it('the CLI printer prints the errors (not only "6 with errors")', () => {
    let out = '';
    const printer = humanPrinter({ isTTY: false, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream);
    printer.event(example(0, METRIC));
    printer.event({ ...base, type: 'eval_finished', stage: 'eval', split: 'val', score: 0, count: 1, errors: 1 });
    assert.match(out, new RegExp(`1 with errors\\n    1× ${METRIC}\\n`));
  });
});
