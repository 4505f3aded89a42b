import { strict as assert } from 'node:assert';
import { Limiter } from '../../../../src/engine/lm/limiter';
import { LMError } from '../../../../src/engine/lm/types';

describe('Limiter', () => {
  it('grants at most maxConcurrency slots and serves waiters in FIFO order', async () => {
    const lim = new Limiter(2);
    const r1 = await lim.acquire();
    const r2 = await lim.acquire();
    const order: number[] = [];
    const p3 = lim.acquire().then((r) => (order.push(3), r));
    const p4 = lim.acquire().then((r) => (order.push(4), r));
    await Promise.resolve();
    assert.equal(lim.inFlight, 2);
    assert.equal(lim.waiting, 2);
    r1();
    r1(); // double release must not free a second slot
    const r3 = await p3;
    assert.equal(lim.inFlight, 2);
    assert.deepEqual(order, [3]);
    r2();
    const r4 = await p4;
    assert.deepEqual(order, [3, 4]);
    r3();
    r4();
    assert.equal(lim.inFlight, 0);
  });

  it('removes an aborted waiter from the queue and rejects with kind aborted', async () => {
    const lim = new Limiter(1);
    const r1 = await lim.acquire();
    const ctrl = new AbortController();
    const waiting = lim.acquire(ctrl.signal);
    const next = lim.acquire();
    ctrl.abort();
    await assert.rejects(waiting, (e: unknown) => e instanceof LMError && e.kind === 'aborted');
    assert.equal(lim.waiting, 1);
    r1();
    const r2 = await next;
    assert.equal(lim.inFlight, 1);
    r2();
  });

  it('rejects at once when the signal is already aborted, and run() releases on failure', async () => {
    const lim = new Limiter(1);
    await assert.rejects(lim.acquire(AbortSignal.abort()), (e: unknown) => e instanceof LMError && e.kind === 'aborted');
    await assert.rejects(lim.run(async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(lim.inFlight, 0);
  });

  it('tryAcquire takes a free slot at once but never jumps queued waiters', async () => {
    const lim = new Limiter(1);
    const r1 = lim.tryAcquire();
    assert.ok(r1);
    assert.equal(lim.tryAcquire(), undefined);
    const queued = lim.acquire();
    r1();
    // The freed slot went to the queued waiter, so there is still none to take.
    assert.equal(lim.tryAcquire(), undefined);
    const r2 = await queued;
    r2();
    const r3 = lim.tryAcquire();
    assert.ok(r3);
    r3();
    assert.equal(lim.inFlight, 0);
  });

  it('refuses a bound below 1 with an actionable message', () => {
    assert.throws(() => new Limiter(0), /maxConcurrency must be a whole number >= 1/);
  });
});
