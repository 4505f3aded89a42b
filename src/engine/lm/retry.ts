import { seededRandom } from '../util/rng';
import { LMError } from './types';

/** Uniform random number in [0, 1). */
export type Rng = () => number;

/** Waits `ms`; should reject when `signal` aborts (the retry loop also guards against sleeps that don't). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Small seeded PRNG so backoff jitter is reproducible in tests and runs. */
export function mulberry32(seed: number): Rng {
  return seededRandom(seed);
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortedDuringBackoff());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedDuringBackoff());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface BackoffOptions {
  /** Upper bound of the first retry's delay. */
  baseDelayMs: number;
  /** No computed delay exceeds this. */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * "Full jitter": uniform in [0, min(cap, base * 2^retryIndex)). Spreading retries over the
 * whole window keeps many concurrent clients from hammering a recovering server in lockstep.
 */
export function backoffDelayMs(retryIndex: number, rng: Rng, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const window = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** retryIndex);
  return Math.floor(rng() * window);
}

export type HeaderSource =
  | { get(name: string): string | null | undefined }
  | Record<string, string | string[] | undefined>;

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const v = (headers as { get(name: string): string | null | undefined }).get(name);
    return v ?? undefined;
  }
  const rec = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : rec[key];
  return Array.isArray(v) ? v[0] : v;
}

/** Server-requested wait from `retry-after-ms`, or `Retry-After` as seconds or an HTTP date. */
export function parseRetryAfterMs(headers: HeaderSource | undefined, nowMs = Date.now()): number | undefined {
  if (!headers) return undefined;
  const msText = headerValue(headers, 'retry-after-ms');
  if (msText !== undefined && msText.trim() !== '') {
    const ms = Number(msText);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  const text = headerValue(headers, 'retry-after')?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export interface RetryDecision {
  retry: boolean;
  /** Wait the server asked for; used instead of the jittered backoff. */
  retryAfterMs?: number;
}

export interface RetryOptions {
  maxRetries: number;
  classify: (err: unknown) => RetryDecision;
  rng: Rng;
  sleep?: Sleep;
  backoff?: BackoffOptions;
  /** Caps a server's Retry-After so a bogus header cannot stall a run for hours. */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  onRetry?: (info: { retryIndex: number; delayMs: number; error: unknown }) => void;
}

export interface RetryResult<T> {
  value: T;
  retries: number;
}

/** Thrown when all attempts failed; carries the last error and how many attempts were made. */
export class RetriesExhausted extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
  ) {
    super(`gave up after ${attempts} attempt(s)`);
    this.name = 'RetriesExhausted';
  }
}

/**
 * Runs `fn` until it succeeds, a non-retryable error occurs, or retries run out; the error
 * thrown is always a `RetriesExhausted` (or an `LMError` of kind 'aborted').
 */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<RetryResult<T>> {
  throwIfAborted(opts.signal);
  try {
    return { value: await fn(0), retries: 0 };
  } catch (err) {
    return retryAfterFailure(fn, err, opts);
  }
}

/**
 * The retry loop from the first failed attempt on. Split from `withRetries` so a caller can
 * make its first attempt itself and pay for the loop (and its options) only when it fails.
 */
export async function retryAfterFailure<T>(
  fn: (attempt: number) => Promise<T>,
  firstError: unknown,
  opts: RetryOptions,
): Promise<RetryResult<T>> {
  const sleep = opts.sleep ?? realSleep;
  let err = firstError;
  for (let attempt = 0; ; attempt++) {
    if (err instanceof LMError && err.kind === 'aborted') throw err;
    throwIfAborted(opts.signal);
    const decision = opts.classify(err);
    if (!decision.retry || attempt >= opts.maxRetries) throw new RetriesExhausted(err, attempt + 1);
    const delayMs =
      decision.retryAfterMs !== undefined
        ? Math.min(decision.retryAfterMs, opts.maxRetryAfterMs ?? 120_000)
        : backoffDelayMs(attempt, opts.rng, opts.backoff);
    opts.onRetry?.({ retryIndex: attempt, delayMs, error: err });
    await abortableSleep(sleep, delayMs, opts.signal);
    throwIfAborted(opts.signal);
    try {
      return { value: await fn(attempt + 1), retries: attempt + 1 };
    } catch (next) {
      err = next;
    }
  }
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new LMError('aborted', 'The LM call was cancelled.');
}

/** Races the (possibly injected) sleep against the signal so cancellation is always prompt. */
async function abortableSleep(sleep: Sleep, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return sleep(ms);
  throwIfAborted(signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortedDuringBackoff());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms, signal), aborted]);
  } catch (err) {
    throw signal.aborted ? abortedDuringBackoff() : err;
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function abortedDuringBackoff(): LMError {
  return new LMError('aborted', 'The LM call was cancelled while waiting to retry.');
}
