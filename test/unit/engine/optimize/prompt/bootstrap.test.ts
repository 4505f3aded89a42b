import { strict as assert } from 'node:assert';
import { bootstrapDemoSets } from '../../../../../src/engine/optimize/prompt';
import { Module, Predict, defineTask } from '../../../../../src/engine/sdk';
import type { Example } from '../../../../../src/engine/tasks/types';
import { ScriptedLM } from '../../../../fixtures/scriptedLM';
import { asksFor, fieldOf, reply } from './helpers';

class Intent extends Module {
  triage = new Predict('utterance -> category');
  classify = new Predict('utterance, category -> intent', { instructions: 'Classify.' });
  async forward(input: { utterance: string }) {
    const { category } = await this.triage.forward(input);
    return this.classify.forward({ utterance: input.utterance, category });
  }
}

const ROWS = Array.from({ length: 10 }, (_, i) => ({ utterance: `u${i}`, category: `c${i % 3}`, intent: `i${i}` }));

function intentTask(rows: Example[] = ROWS) {
  return defineTask({ name: 'intent', program: new Intent(), inputs: ['utterance'], trainset: rows, metric: (ex, p) => (p.intent === ex.intent ? 1 : 0) });
}

/** Right on even utterances; with `needs`, only when the system message contains it. */
function intentLM(needs?: string) {
  return new ScriptedLM((req) => {
    const u = fieldOf(req, 'utterance');
    const n = Number(u.slice(1));
    if (asksFor(req, 'category')) return reply('category', `c${n % 3}`);
    const ok = n % 2 === 0 && (needs === undefined || req.messages[0].content.includes(needs));
    return reply('intent', ok ? `i${n}` : 'WRONG');
  });
}

const base = { maxBootstrapped: 2, maxLabeled: 0, numSets: 4, seed: 5, concurrency: 3, threshold: 1 };

describe('bootstrapDemoSets', () => {
  it('builds per-module sets from passing traces only, with the empty set first', async () => {
    const task = intentTask();
    const lm = intentLM();
    const r = await bootstrapDemoSets({ ...base, program: task.program, task, lm });
    assert.deepEqual(Object.keys(r.demoSets), ['triage', 'classify']);
    assert.equal(r.lmCalls, lm.callCount);
    assert.ok(r.tracesPassed >= 1 && r.tracesPassed < r.tracesRun, `passed ${r.tracesPassed} of ${r.tracesRun}`);
    for (const [module, sets] of Object.entries(r.demoSets)) {
      assert.deepEqual(sets[0], [], `${module}: set 0 is zero-shot`);
      assert.equal(sets.length, 4);
      assert.equal(new Set(sets.map((s) => JSON.stringify(s))).size, 4, `${module}: sets differ`);
      for (const demo of sets.slice(1).flat()) {
        // Only even utterances pass the metric; their demos hold the inputs and the outputs of the call.
        assert.equal(Number(String(demo.utterance).slice(1)) % 2, 0, `${module}: demo from a failing trace ${JSON.stringify(demo)}`);
        assert.ok(sets.slice(1).every((s) => s.length <= 2));
      }
    }
    const demo = r.demoSets.classify[1][0];
    assert.deepEqual(Object.keys(demo).sort(), ['category', 'intent', 'utterance']);
    assert.notEqual(demo.intent, 'WRONG');
    assert.deepEqual(Object.keys(r.demoSets.triage[1][0]).sort(), ['category', 'utterance']);
    // One passing run is kept for the instruction proposer's program summary.
    assert.equal(r.sample!.passed, true);
    assert.deepEqual(r.sample!.trace.map((c) => c.module), ['triage', 'classify']);
    assert.equal(Number(String(r.sample!.inputs.utterance).slice(1)) % 2, 0);
  });

  it('takes labeled demos from examples that hold all of a module\'s fields, with no LM calls', async () => {
    const rows: Example[] = ROWS.map((r, i) => (i < 5 ? r : { utterance: r.utterance, intent: r.intent }));
    const task = intentTask(rows);
    const lm = intentLM();
    const r = await bootstrapDemoSets({ ...base, maxBootstrapped: 0, maxLabeled: 2, program: task.program, task, lm });
    assert.equal(lm.callCount, 0);
    assert.equal(r.lmCalls, 0);
    assert.equal(r.sample, undefined, 'no run, no sample');
    const labeled = r.demoSets.classify.slice(1).flat();
    assert.ok(labeled.length > 0);
    for (const d of labeled) {
      const row = rows.find((x) => x.utterance === d.utterance)!;
      assert.ok('category' in row, `row ${String(d.utterance)} lacks category, so it cannot be a classify demo`);
      assert.deepEqual(d, row);
    }
    const triage = r.demoSets.triage[1][0];
    const source = rows.find((x) => x.utterance === triage.utterance)!;
    assert.deepEqual(triage, { utterance: source.utterance, category: source.category });
  });

  it('uses the teacher\'s traces when the student fails, and is deterministic for a seed', async () => {
    const task = intentTask();
    const teacher = new Intent();
    teacher.classify.instructions = 'TEACHER: classify carefully.';
    const alone = await bootstrapDemoSets({ ...base, program: task.program, task, lm: intentLM('TEACHER') });
    assert.equal(alone.tracesPassed, 0);
    assert.deepEqual(alone.demoSets.classify, [[]]);
    const run = () => bootstrapDemoSets({ ...base, program: task.program, task, lm: intentLM('TEACHER'), teacher });
    const a = await run();
    assert.ok(a.tracesPassed > 0);
    assert.equal(a.demoSets.classify.length, 4);
    assert.deepEqual((await run()).demoSets, a.demoSets);
    const other = await bootstrapDemoSets({ ...base, seed: 6, program: task.program, task, lm: intentLM('TEACHER'), teacher });
    assert.notDeepEqual(other.demoSets, a.demoSets);
  });

  it('stops early once enough traces passed and rejects bad options', async () => {
    const task = intentTask();
    const lm = intentLM();
    const r = await bootstrapDemoSets({ ...base, numSets: 2, maxBootstrapped: 1, concurrency: 1, program: task.program, task, lm });
    assert.equal(r.tracesPassed, 1);
    assert.ok(r.tracesRun < ROWS.length);
    await assert.rejects(bootstrapDemoSets({ ...base, numSets: 0, program: task.program, task, lm }), /`numSets` must be a whole number >= 1/);
  });
});
