import { LMError } from './types';

/** Frees one slot; calling it more than once is harmless. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * FIFO counting semaphore. Waiters are served strictly in arrival order so a burst of
 * requests cannot starve an earlier caller; an aborted waiter leaves the queue at once.
 */
export class Limiter {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly maxConcurrency: number) {
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
      throw new Error(
        `maxConcurrency must be a whole number >= 1, got ${String(maxConcurrency)}. ` +
          'Set it in the LM config (e.g. maxConcurrency: 8).',
      );
    }
  }

  /** Slots currently held. */
  get inFlight(): number {
    return this.active;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** A slot now, or undefined when the caller must queue; never jumps the queue. */
  tryAcquire(): Release | undefined {
    if (this.active >= this.maxConcurrency || this.queue.length > 0) return undefined;
    this.active++;
    return this.makeRelease();
  }

  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(abortedError());
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { grant: resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(abortedError());
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
    });
  }

  /** Runs `fn` while holding a slot. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private makeRelease(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.grantNext();
    };
  }

  private grantNext(): void {
    while (this.active < this.maxConcurrency && this.queue.length > 0) {
      const next = this.queue.shift() as Waiter;
      if (next.signal && next.onAbort) next.signal.removeEventListener('abort', next.onAbort);
      this.active++;
      next.grant(this.makeRelease());
    }
  }
}

function abortedError(): LMError {
  return new LMError('aborted', 'The LM call was cancelled before it was sent.');
}
