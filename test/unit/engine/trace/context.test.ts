import { strict as assert } from 'node:assert';
import { currentContext, runWithContext, withLM } from '../../../../src/engine/trace/context';
import { PredictorNames, TraceRecorder } from '../../../../src/engine/trace/recorder';
import { ScriptedLM } from '../../../fixtures/scriptedLM';

describe('program context', () => {
  it('is undefined outside, set inside, and follows awaits', async () => {
    const lm = new ScriptedLM([]);
    assert.equal(currentContext(), undefined);
    await runWithContext({ lm, cache: true }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      assert.equal(currentContext()?.lm, lm);
      assert.equal(currentContext()?.cache, true);
    });
    assert.equal(currentContext(), undefined);
  });

  it('keeps concurrent contexts apart', async () => {
    const lms = [new ScriptedLM([], { model: 'a' }), new ScriptedLM([], { model: 'b' })];
    const seen = await Promise.all(
      lms.map((lm, i) =>
        withLM(lm, async () => {
          await new Promise((r) => setTimeout(r, 5 - i * 4));
          return currentContext()?.lm.model;
        }),
      ),
    );
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('withLM keeps the rest of the enclosing context', () => {
    const recorder = new TraceRecorder();
    const outer = new ScriptedLM([], { model: 'outer' });
    const inner = new ScriptedLM([], { model: 'inner' });
    runWithContext({ lm: outer, recorder, sampling: { temperature: 0.5 } }, () =>
      withLM(inner, () => {
        const ctx = currentContext();
        assert.equal(ctx?.lm, inner);
        assert.equal(ctx?.recorder, recorder);
        assert.deepEqual(ctx?.sampling, { temperature: 0.5 });
      }),
    );
  });
});

describe('TraceRecorder', () => {
  it('names registered predictors, numbers unregistered ones and counts invocations per module', () => {
    const a = {};
    const b = {};
    const rec = new TraceRecorder([['first', a], ['again', a]]);
    assert.equal(rec.nameOf(a), 'first');
    assert.equal(rec.nameOf(b), '<unregistered>.Object#0');
    const h1 = rec.begin(a, { x: 1 });
    const h2 = rec.begin(b, {});
    const h3 = rec.begin(a, { x: 2 });
    assert.deepEqual([h1.invocation, h2.invocation, h3.invocation], [0, 0, 1]);
    rec.end(h1);
    rec.end(h2);
    const snap = rec.snapshot();
    assert.deepEqual(snap.map((r) => r.module), ['first', '<unregistered>.Object#0', 'first']);
    assert.equal(snap[0].error, undefined);
    assert.match(snap[2].error ?? '', /still in flight/);
    assert.equal(h3.record.error, undefined, 'the snapshot is a copy');
    assert.equal(snap[0], h1.record, 'a finished record is shared: nothing writes to it any more');
  });

  it('shares one name table between rollouts and walks again for a predictor added since', () => {
    const a = {};
    const b = {};
    const fields: Array<[string, object]> = [['a', a]];
    let walks = 0;
    const names = new PredictorNames(() => (walks++, fields));
    const first = new TraceRecorder(names);
    const second = new TraceRecorder(names);
    assert.equal(first.nameOf(a), 'a');
    assert.equal(second.nameOf(a), 'a');
    assert.equal(walks, 1, 'the program is walked once for both rollouts');
    fields.push(['later', b]);
    assert.equal(second.nameOf(b), 'later');
    assert.equal(walks, 2);
    assert.equal(new TraceRecorder(names).nameOf({}), '<unregistered>.Object#0');
  });

  it('remembers which module an error came from', () => {
    const rec = new TraceRecorder();
    const err = new Error('x');
    rec.noteFailure(err, 'm');
    rec.noteFailure(err, 'outer');
    assert.equal(rec.moduleOfFailure(err), 'm');
    assert.equal(rec.moduleOfFailure(new Error('y')), undefined);
    assert.equal(rec.moduleOfFailure('string'), undefined);
  });
});
