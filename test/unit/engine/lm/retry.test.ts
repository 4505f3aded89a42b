import { strict as assert } from 'node:assert';
import {
  RetriesExhausted,
  backoffDelayMs,
  mulberry32,
  parseRetryAfterMs,
  retryAfterFailure,
  withRetries,
  type Sleep,
} from '../../../../src/engine/lm/retry';
import { LMError } from '../../../../src/engine/lm/types';

describe('retry', () => {
  it('parses retry-after-ms, Retry-After seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfterMs(new Headers({ 'retry-after-ms': '250' }), now), 250);
    assert.equal(parseRetryAfterMs(new Headers({ 'retry-after': '3' }), now), 3000);
    assert.equal(parseRetryAfterMs({ 'Retry-After': 'Wed, 01 Jan 2025 00:00:07 GMT' }, now), 7000);
    assert.equal(parseRetryAfterMs({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }, now), 0);
    assert.equal(parseRetryAfterMs({ 'retry-after': 'soon' }, now), undefined);
    assert.equal(parseRetryAfterMs(undefined, now), undefined);
    // retry-after-ms is the more precise of the two, so it wins
    assert.equal(parseRetryAfterMs(new Headers({ 'retry-after-ms': '10', 'retry-after': '5' }), now), 10);
  });

  it('draws full-jitter delays inside the doubling window, reproducibly', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const opts = { baseDelayMs: 100, maxDelayMs: 1000 };
    for (let i = 0; i < 8; i++) {
      const d = backoffDelayMs(i, a, opts);
      assert.ok(d >= 0 && d < Math.min(1000, 100 * 2 ** i), `delay ${d} at retry ${i}`);
      assert.equal(d, backoffDelayMs(i, b, opts));
    }
  });

  it('retries retryable errors, then gives up with the attempt count', async () => {
    const sleeps: number[] = [];
    const sleep: Sleep = async (ms) => void sleeps.push(ms);
    let calls = 0;
    const err = await withRetries(
      async () => {
        calls++;
        throw new Error('flaky');
      },
      { maxRetries: 3, rng: mulberry32(1), sleep, classify: () => ({ retry: true, retryAfterMs: 5 }) },
    ).catch((e: unknown) => e);
    assert.ok(err instanceof RetriesExhausted);
    assert.equal(err.attempts, 4);
    assert.equal(calls, 4);
    assert.deepEqual(sleeps, [5, 5, 5]);
  });

  it('does not retry when the classifier says no, and caps huge Retry-After values', async () => {
    let calls = 0;
    const sleeps: number[] = [];
    const res = await withRetries(
      async (attempt) => {
        calls++;
        if (attempt === 0) throw new Error('rate limited');
        return 'ok';
      },
      { maxRetries: 2, rng: mulberry32(1), sleep: async (ms) => void sleeps.push(ms), maxRetryAfterMs: 1000, classify: () => ({ retry: true, retryAfterMs: 9e9 }) },
    );
    assert.deepEqual(res, { value: 'ok', retries: 1 });
    assert.deepEqual(sleeps, [1000]);
    await assert.rejects(
      withRetries(async () => (calls++, Promise.reject(new Error('fatal'))), { maxRetries: 5, rng: mulberry32(1), classify: () => ({ retry: false }) }),
      (e: unknown) => e instanceof RetriesExhausted && e.attempts === 1,
    );
  });

  it('stops promptly when aborted during a backoff sleep that ignores the signal', async () => {
    const ctrl = new AbortController();
    const sleepNever: Sleep = () => {
      ctrl.abort();
      return new Promise<void>(() => undefined);
    };
    await assert.rejects(
      withRetries(async () => Promise.reject(new Error('x')), { maxRetries: 3, rng: mulberry32(1), sleep: sleepNever, signal: ctrl.signal, classify: () => ({ retry: true }) }),
      (e: unknown) => e instanceof LMError && e.kind === 'aborted',
    );
  });

  it('retryAfterFailure continues from a first failure made by the caller, counting it as attempt 0', async () => {
    const sleeps: number[] = [];
    const attempts: number[] = [];
    const res = await retryAfterFailure(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 2) throw new Error('flaky');
        return 'ok';
      },
      new Error('first'),
      { maxRetries: 3, rng: mulberry32(3), sleep: async (ms) => void sleeps.push(ms), classify: () => ({ retry: true }) },
    );
    assert.deepEqual(res, { value: 'ok', retries: 2 });
    assert.deepEqual(attempts, [1, 2]);
    assert.equal(sleeps.length, 2);
    const gaveUp = await retryAfterFailure(async () => 'never', new Error('fatal'), {
      maxRetries: 3,
      rng: mulberry32(3),
      classify: () => ({ retry: false }),
    }).catch((e: unknown) => e);
    assert.ok(gaveUp instanceof RetriesExhausted && gaveUp.attempts === 1);
    const aborted = new LMError('aborted', 'stop');
    await assert.rejects(retryAfterFailure(async () => 'never', aborted, { maxRetries: 3, rng: mulberry32(3), classify: () => ({ retry: true }) }), (e: unknown) => e === aborted);
  });
});
