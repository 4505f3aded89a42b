import { strict as assert } from 'node:assert';
import { LMError } from '../../../../src/engine/lm/types';
import { ScriptedLM, seededRandom } from '../../../fixtures/scriptedLM';

const req = { messages: [{ role: 'user' as const, content: 'hello there' }] };

describe('ScriptedLM fixture', () => {
  it('answers from a queue, records requests and runs out clearly', async () => {
    const lm = new ScriptedLM(['a', { text: 'b', finishReason: 'length' }, new LMError('server', 'boom')]);
    assert.equal((await lm.complete(req)).choices[0].text, 'a');
    const second = await lm.complete(req);
    assert.equal(second.choices[0].finishReason, 'length');
    await assert.rejects(lm.complete(req), /boom/);
    await assert.rejects(lm.complete(req), /only 3 answer\(s\)/);
    assert.equal(lm.requests.length, 4);
    assert.equal(lm.callCount, 4);
  });

  it('answers from a function with call and choice indices and plausible usage', async () => {
    const lm = new ScriptedLM((r, call, choice) => `${call}.${choice}:${r.messages.length}`);
    const res = await lm.complete({ ...req, n: 2 });
    assert.deepEqual(res.choices.map((c) => c.text), ['0.0:1', '0.1:1']);
    assert.deepEqual(res.usage, { promptTokens: 3, completionTokens: 4, totalTokens: 7 });
    assert.equal(res.model, 'scripted-lm');
  });

  it('honours abort signals during the delay', async () => {
    const lm = new ScriptedLM(['x'], { delayMs: 1000 });
    const ac = new AbortController();
    const p = lm.complete(req, ac.signal);
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof LMError && e.kind === 'aborted');
  });

  it('seededRandom is deterministic and in [0, 1)', () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    const xs = Array.from({ length: 5 }, () => a());
    assert.deepEqual(xs, Array.from({ length: 5 }, () => b()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.notDeepEqual(xs, Array.from({ length: 5 }, seededRandom(4)));
  });
});
