/**
 * Readers (decode batches) share; a writer (training step, checkpoint load)
 * waits for in-flight readers and, while waiting, holds back new readers so a
 * steady stream of requests cannot starve training.
 */
export class RwLock {
  private readers = 0;
  private writer = false;
  private readonly waiting: { write: boolean; wake: () => void }[] = [];

  async read<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.writer || this.waiting.some((w) => w.write)) await this.enqueue(false);
    else this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
      this.pump();
    }
  }

  async write<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.writer || this.readers > 0 || this.waiting.length > 0) await this.enqueue(true);
    else this.writer = true;
    try {
      return await fn();
    } finally {
      this.writer = false;
      this.pump();
    }
  }

  private enqueue(write: boolean): Promise<void> {
    return new Promise((wake) => this.waiting.push({ write, wake }));
  }

  /** Admit the next writer alone, or every reader queued before the next writer. */
  private pump(): void {
    if (this.writer || this.waiting.length === 0) return;
    if (this.waiting[0].write) {
      if (this.readers > 0) return;
      this.writer = true;
      this.waiting.shift()!.wake();
      return;
    }
    while (this.waiting.length > 0 && !this.waiting[0].write) {
      this.readers++;
      this.waiting.shift()!.wake();
    }
  }
}
