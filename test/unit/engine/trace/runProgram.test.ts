import { strict as assert } from 'node:assert';
import { LMError } from '../../../../src/engine/lm/types';
import { Module } from '../../../../src/engine/program/module';
import { Predict } from '../../../../src/engine/program/predict';
import { currentContext, withLM } from '../../../../src/engine/trace/context';
import { runProgram } from '../../../../src/engine/trace/runProgram';
import { ScriptedLM, seededRandom } from '../../../fixtures/scriptedLM';

const marked = (fields: Record<string, string>): string =>
  `${Object.entries(fields).map(([k, v]) => `[[ ## ${k} ## ]]\n${v}`).join('\n\n')}\n\n[[ ## completed ## ]]`;

/** Reads an input field back out of the last user message, so scripted answers can depend on inputs. */
function inputOf(content: string, field: string): string {
  const m = new RegExp(`\\[\\[ ## ${field} ## \\]\\]\\n([^\\n]*)`).exec(content);
  return m ? m[1] : '';
}

class TwoStep extends Module {
  triage = new Predict("utterance -> category: Literal['card', 'transfer']");
  classify = new Predict('utterance, category -> intent');
  async forward(input: { utterance: string }): Promise<Record<string, unknown>> {
    const { category } = await this.triage.forward({ utterance: input.utterance });
    const { intent } = await this.classify.forward({ utterance: input.utterance, category });
    return { category, intent };
  }
}

class MultiHop extends Module {
  hops = [new Predict('question, hop: int -> note'), new Predict('question, hop: int -> note')];
  rounds = 2;
  async forward(input: { question: string }): Promise<Record<string, unknown>> {
    const notes: unknown[] = [];
    for (let r = 0; r < this.rounds; r++) {
      for (const [i, p] of this.hops.entries()) notes.push((await p.forward({ question: input.question, hop: r * 10 + i })).note);
    }
    return { notes };
  }
}

describe('runProgram', () => {
  it('records every call with names, invocation, messages, verbatim completion, usage and sampling', async () => {
    const first = { text: marked({ category: 'card' }), logprobs: [{ token: 'card', logprob: -0.1 }] };
    const second = `  ${marked({ intent: 'lost_card' })}  `;
    const lm = new ScriptedLM([first, second], { model: 'tiny' });
    const run = await runProgram(new TwoStep(), { utterance: 'I lost my card' }, { lm, sampling: { temperature: 1, n: 1 } });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.outputs, { category: 'card', intent: 'lost_card' });
    assert.deepEqual(run.trace.map((r) => [r.module, r.invocation]), [['triage', 0], ['classify', 0]]);
    const [t, c] = run.trace;
    assert.equal(t.completion, first.text);
    assert.equal(c.completion, second);
    assert.deepEqual(t.messages, lm.requests[0].messages);
    assert.deepEqual(c.inputs, { utterance: 'I lost my card', category: 'card' });
    assert.deepEqual(t.outputs, { category: 'card' });
    assert.deepEqual(t.logprobs, [{ token: 'card', logprob: -0.1 }]);
    assert.equal(t.model, 'tiny');
    assert.deepEqual(t.sampling, { temperature: 1, n: 1 });
    assert.ok(t.usage && t.usage.totalTokens === t.usage.promptTokens + t.usage.completionTokens && t.usage.promptTokens > 0);
    assert.ok(t.latencyMs >= 0 && run.latencyMs >= 0);
  });

  it('stops the rollout at a parse failure and classifies it with the module', async () => {
    const lm = new ScriptedLM([marked({ category: 'blue' }), marked({ intent: 'never' })]);
    const run = await runProgram(new TwoStep(), { utterance: 'u' }, { lm });
    assert.equal(lm.callCount, 1);
    assert.equal(run.outputs, undefined);
    assert.equal(run.error?.kind, 'parse');
    if (run.error?.kind !== 'parse') return;
    assert.equal(run.error.module, 'triage');
    assert.deepEqual(run.error.info.missingFields, ['category']);
    assert.equal(run.error.info.fractionParsed, 0);
    assert.match(run.error.message, /"blue" is not one of 'card', 'transfer'/);
    assert.equal(run.trace.length, 1);
    assert.equal(run.trace[0].completion, marked({ category: 'blue' }));
    assert.deepEqual(run.trace[0].parseError, run.error.info);
    assert.equal(run.trace[0].outputs, undefined);
  });

  it('classifies LM errors with module and kind and records them on the call', async () => {
    const lm = new ScriptedLM([marked({ category: 'card' }), new LMError('rate_limit', 'too many requests', 429)]);
    const run = await runProgram(new TwoStep(), { utterance: 'u' }, { lm });
    assert.deepEqual(run.error, { kind: 'lm', module: 'classify', message: 'too many requests', lmErrorKind: 'rate_limit' });
    assert.equal(run.trace[1].error, 'too many requests');
    assert.equal(run.trace[1].completion, null);
  });

  it('classifies program exceptions and non-object outputs', async () => {
    class Throws extends Module {
      async forward(): Promise<Record<string, unknown>> {
        throw new TypeError('bad code');
      }
    }
    class ReturnsString extends Module {
      async forward(): Promise<string> {
        return 'hello';
      }
    }
    const lm = new ScriptedLM([]);
    const a = await runProgram(new Throws(), {}, { lm });
    assert.equal(a.error?.kind, 'program');
    assert.ok(a.error?.kind === 'program' && a.error.message === 'bad code' && a.error.stack?.includes('TypeError'));
    const b = await runProgram(new ReturnsString(), {}, { lm });
    assert.equal(b.error?.kind, 'program');
    assert.match(b.error?.message ?? '', /ReturnsString\.forward\(\) returned a string \("hello"\); it must return a plain object/);
    assert.equal(b.outputs, undefined);
  });

  it('reports input-field mistakes in the program as program errors', async () => {
    class Wrong extends Module {
      p = new Predict('question -> answer');
      async forward(): Promise<Record<string, unknown>> {
        return this.p.forward({ query: 'x' });
      }
    }
    const run = await runProgram(new Wrong(), {}, { lm: new ScriptedLM([]) });
    assert.equal(run.error?.kind, 'program');
    assert.match(run.error?.message ?? '', /Predict module "p" .*unknown input field\(s\) "query"/);
  });

  it('classifies cancellation, before and during the run', async () => {
    const before = new AbortController();
    before.abort();
    const lm = new ScriptedLM(() => marked({ category: 'card' }), { delayMs: 50 });
    const a = await runProgram(new TwoStep(), { utterance: 'u' }, { lm, signal: before.signal });
    assert.equal(a.error?.kind, 'aborted');
    assert.equal(lm.callCount, 0);
    const during = new AbortController();
    const pending = runProgram(new TwoStep(), { utterance: 'u' }, { lm, signal: during.signal });
    setImmediate(() => during.abort());
    const b = await pending;
    assert.equal(b.error?.kind, 'aborted');
    assert.equal(b.trace.length, 1);
    assert.match(b.trace[0].error ?? '', /aborted/);
  });

  it('counts invocations per module and keeps equal-signature modules apart', async () => {
    const lm = new ScriptedLM((req) => marked({ note: `n${inputOf(req.messages[req.messages.length - 1].content, 'hop')}` }));
    const run = await runProgram(new MultiHop(), { question: 'q' }, { lm });
    assert.deepEqual(run.outputs, { notes: ['n0', 'n1', 'n10', 'n11'] });
    assert.deepEqual(run.trace.map((r) => `${r.module}#${r.invocation}`), ['hops[0]#0', 'hops[1]#0', 'hops[0]#1', 'hops[1]#1']);
  });

  it('orders the trace by call start when a program calls modules concurrently', async () => {
    class Parallel extends Module {
      p = new Predict('x -> y');
      async forward(): Promise<Record<string, unknown>> {
        const ys = await Promise.all(['a', 'b', 'c'].map((x) => this.p.forward({ x })));
        return { ys: ys.map((o) => o.y) };
      }
    }
    // Later calls answer first, so completion order differs from start order.
    const lm = new ScriptedLM((req) => marked({ y: inputOf(req.messages[req.messages.length - 1].content, 'x').toUpperCase() }), {
      delayMs: (i) => 30 - i * 10,
    });
    const run = await runProgram(new Parallel(), {}, { lm });
    assert.deepEqual(run.outputs, { ys: ['A', 'B', 'C'] });
    assert.deepEqual(run.trace.map((r) => [r.invocation, r.inputs.x, r.outputs?.y]), [[0, 'a', 'A'], [1, 'b', 'B'], [2, 'c', 'C']]);
  });

  it('names predictors the program did not expose', async () => {
    const hidden = new Predict('x -> y');
    class Hidden extends Module {
      async forward(): Promise<Record<string, unknown>> {
        await hidden.forward({ x: '1' });
        return hidden.forward({ x: '2' });
      }
    }
    const run = await runProgram(new Hidden(), {}, { lm: new ScriptedLM([marked({ y: 'a' }), marked({ y: 'b' })]) });
    assert.deepEqual(run.outputs, { y: 'b' });
    assert.deepEqual(run.trace.map((r) => [r.module, r.invocation]), [['<unregistered>.Predict#0', 0], ['<unregistered>.Predict#0', 1]]);
  });

  it('keeps concurrent rollouts apart: each trace has only its own calls and indices', async () => {
    const rand = seededRandom(7);
    const delays = Array.from({ length: 1000 }, () => Math.floor(rand() * 8));
    const lm = new ScriptedLM(
      (req) => {
        const q = inputOf(req.messages[req.messages.length - 1].content, 'question');
        return marked({ note: `${q}:${inputOf(req.messages[req.messages.length - 1].content, 'hop')}` });
      },
      { delayMs: (i) => delays[i % delays.length] },
    );
    const program = new MultiHop();
    const runs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => runProgram(program, { question: `q${i}` }, { lm, sampling: { temperature: 1 } })),
    );
    assert.equal(lm.callCount, 160);
    runs.forEach((run, i) => {
      assert.equal(run.error, undefined);
      assert.deepEqual(run.outputs, { notes: [`q${i}:0`, `q${i}:1`, `q${i}:10`, `q${i}:11`] });
      assert.deepEqual(run.trace.map((r) => `${r.module}#${r.invocation}`), ['hops[0]#0', 'hops[1]#0', 'hops[0]#1', 'hops[1]#1']);
      assert.ok(run.trace.every((r) => r.inputs.question === `q${i}` && r.completion?.includes(`q${i}:`)));
    });
  });

  it('does not leak its context outside the run', async () => {
    await runProgram(new TwoStep(), { utterance: 'u' }, { lm: new ScriptedLM([marked({ category: 'card' }), marked({ intent: 'i' })]) });
    assert.equal(currentContext(), undefined);
  });

  it('withLM inside a run swaps the LM but keeps recording', async () => {
    const other = new ScriptedLM([marked({ intent: 'from-other' })], { model: 'other' });
    class Swap extends TwoStep {
      override async forward(input: { utterance: string }): Promise<Record<string, unknown>> {
        const { category } = await this.triage.forward({ utterance: input.utterance });
        return withLM(other, () => this.classify.forward({ utterance: input.utterance, category }));
      }
    }
    const main = new ScriptedLM([marked({ category: 'transfer' })], { model: 'main' });
    const run = await runProgram(new Swap(), { utterance: 'u' }, { lm: main });
    assert.deepEqual(run.outputs, { intent: 'from-other' });
    assert.deepEqual(run.trace.map((r) => [r.module, r.model]), [['triage', 'main'], ['classify', 'other']]);
  });
});
