import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, Predict, defineTask } from '../../../../src/engine/sdk';
import { evaluate, mapPool } from '../../../../src/engine/evaluate';
import { runEvaluation } from '../../../../src/engine/evaluate/evalRun';
import { isProcessAlive, readRun } from '../../../../src/engine/runs';
import type { Metric } from '../../../../src/engine/tasks/types';
import { ScriptedLM } from '../../../fixtures/scriptedLM';

class TwoStep extends Module {
  first = new Predict('question -> draft');
  second = new Predict('question, draft -> answer');
  async forward(input: { question: string }) {
    const { draft } = await this.first.forward(input);
    return this.second.forward({ question: input.question, draft });
  }
}

// Answers with the question's own text, so the metric can check the wiring.
function echoLM(delay = 0) {
  return new ScriptedLM(
    (req) => {
      const user = req.messages[req.messages.length - 1].content;
      const q = /\[\[ ## question ## \]\]\s*([^\n]*)/.exec(user)?.[1] ?? '';
      const field = user.includes('Respond with `[[ ## answer') ? 'answer' : 'draft';
      if (q === 'unparseable') return 'no markers here';
      return `[[ ## ${field} ## ]]\n${q}\n\n[[ ## completed ## ]]`;
    },
    { delayMs: (i) => (delay ? (i * 7919) % delay : 0) },
  );
}

function task(metric: Metric, rows = ['a', 'b', 'c', 'd']) {
  return defineTask({
    name: 'two-step',
    program: new TwoStep(),
    inputs: ['question'],
    trainset: rows.map((q) => ({ question: q, answer: q })),
    valset: rows.map((q) => ({ question: q, answer: q })),
    metric,
  });
}

describe('evaluate', () => {
  it('scores every example in parallel and passes the trace to the metric', async () => {
    const traces: number[] = [];
    const t = task((ex, pred, trace) => {
      traces.push(trace?.length ?? -1);
      return pred.answer === ex.answer ? 1 : 0;
    });
    const r = await evaluate({ task: t, program: t.program, dataset: t.valset!, lm: echoLM(5), concurrency: 3 });
    assert.equal(r.score, 1);
    assert.equal(r.count, 4);
    assert.deepEqual(traces, [2, 2, 2, 2]);
    assert.deepEqual(r.results.map((x) => x.index), [0, 1, 2, 3]);
    assert.deepEqual(r.results[2].trace.map((c) => `${c.module}#${c.invocation}`), ['first#0', 'second#0']);
  });

  it('records program, parse and metric failures per example without stopping', async () => {
    const t = task((ex) => {
      if (ex.question === 'b') throw new Error('metric broke');
      if (ex.question === 'c') return Number.NaN;
      return 1;
    }, ['a', 'b', 'c', 'unparseable']);
    const r = await evaluate({ task: t, program: t.program, dataset: t.valset!, lm: echoLM(), concurrency: 2 });
    assert.equal(r.count, 4);
    assert.equal(r.errors, 3);
    assert.equal(r.score, 0.25);
    assert.match(r.results[1].error!, /metric threw Error: metric broke/);
    assert.match(r.results[2].error!, /returned NaN; it must return a finite number/);
    assert.ok(r.results[3].error, 'parse failure recorded');
    assert.equal(r.results[3].trace[0].completion, 'no markers here');
  });

  it('stops starting examples after an abort and reports an incomplete result', async () => {
    const controller = new AbortController();
    const t = task(() => 1, Array.from({ length: 20 }, (_, i) => `q${i}`));
    let seen = 0;
    const r = await evaluate({
      task: t,
      program: t.program,
      dataset: t.valset!,
      lm: echoLM(3),
      concurrency: 2,
      signal: controller.signal,
      onExample: () => {
        if (++seen === 3) controller.abort();
      },
    });
    assert.equal(r.complete, false);
    assert.ok(r.count >= 3 && r.count < 20, `count ${r.count}`);
    assert.equal(r.errors, 0, 'cancelled examples are not failures');
  });

  it('mapPool keeps order and bounds concurrency', async () => {
    let inFlight = 0;
    let max = 0;
    const out = await mapPool([5, 1, 4, 2, 3], 2, async (x) => {
      max = Math.max(max, ++inFlight);
      await new Promise((r) => setTimeout(r, x));
      inFlight--;
      return x * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30]);
    assert.equal(max, 2);
  });

  it('records an eval run with events a reader can replay', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'ws-'));
    try {
      const t = task((ex, pred) => (pred.answer === ex.answer ? 1 : 0));
      const types: string[] = [];
      const out = await runEvaluation({
        task: t,
        taskFile: '/x/task.ts',
        workspace: ws,
        lm: echoLM(),
        split: 'val',
        concurrency: 2,
        seed: 3,
        config: { apiKey: 'sk-SHOULD-NOT-LEAK' },
        onEvent: (e) => types.push(e.type),
      });
      assert.equal(out.status, 'completed');
      const run = readRun(out.dir, isProcessAlive);
      assert.equal(run.status, 'completed');
      assert.equal(run.summary['val/score'], 1);
      assert.deepEqual(Object.keys(run.manifest.programStateBefore.predictors), ['first', 'second']);
      assert.equal(types[0], 'run_started');
      assert.equal(types.filter((x) => x === 'example_evaluated').length, 4);
      assert.equal(types[types.length - 1], 'run_finished');
      assert.equal(JSON.stringify(run).includes('sk-SHOULD-NOT-LEAK'), false);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
