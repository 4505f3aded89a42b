import type { GenerateRequest, GenerateResult } from './backend';
import { Rng } from './rng';
import { generateBatch, validateRequest, type ModelHandle, type SamplerOptions } from './sampler';

interface Pending {
  req: GenerateRequest;
  seed: number;
  resolve: (r: GenerateResult) => void;
  reject: (e: unknown) => void;
}

export interface QueueOptions extends SamplerOptions {
  /** Upper bound on sequences (sum of n) decoded in one batch. */
  maxBatchSequences: number;
  /** Seeds requests that carry none, so unseeded runs are still reproducible. */
  seed: number;
}

/**
 * Collects generate requests that arrive within one event-loop turn and
 * decodes them in shared forward passes. `run` wraps each batch so the owner
 * can hold a lock across it (training must not change weights mid-decode).
 */
export class RequestQueue {
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly seeds: Rng;

  constructor(
    private readonly model: () => ModelHandle,
    private readonly run: <T>(fn: () => Promise<T>) => Promise<T>,
    private readonly opts: QueueOptions,
  ) {
    this.seeds = new Rng(opts.seed);
  }

  submit(req: GenerateRequest): Promise<GenerateResult> {
    validateRequest(req, this.model().config);
    // Seeds are drawn at submit time, so they do not depend on how requests get batched.
    const seed = req.seed ?? Math.floor(this.seeds.next() * 0x7fffffff);
    return new Promise((resolve, reject) => {
      this.pending.push({ req, seed, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0];
      if (batch.length > 0 && rows + next.req.n > this.opts.maxBatchSequences) break;
      batch.push(this.pending.shift()!);
      rows += next.req.n;
    }
    return batch;
  }

  private async flush(): Promise<void> {
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    try {
      const results = await this.run(() => generateBatch(this.model(), batch.map((p) => p.req), batch.map((p) => p.seed), this.opts));
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (e) {
      batch.forEach((p) => p.reject(e));
    }
    this.schedule();
  }
}
