import type {
  BackendFeatures,
  EmbeddedBackend,
  GenerateRequest,
  GenerateResult,
  GrpoMember,
  GrpoTrainConfig,
  LoadCheckpointOptions,
  OnDelta,
  SftConfig,
  SftExample,
  TrainStepMetrics,
} from '../backend';

/**
 * Readers-writer ordering over a backend: generate() calls may overlap each
 * other, anything that changes or saves weights runs alone. FIFO, so a waiting
 * training step is not starved by a stream of inference calls and a chat sent
 * after a step is answered by the updated weights.
 */
export class RwQueue {
  private readers = 0;
  private writer = false;
  private readonly waiting: Array<{ write: boolean; start: () => void }> = [];

  read<T>(fn: () => Promise<T>): Promise<T> {
    return this.enqueue(false, fn);
  }

  write<T>(fn: () => Promise<T>): Promise<T> {
    return this.enqueue(true, fn);
  }

  private enqueue<T>(write: boolean, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        if (write) this.writer = true;
        else this.readers++;
        Promise.resolve()
          .then(fn)
          .then(resolve, reject)
          .finally(() => {
            if (write) this.writer = false;
            else this.readers--;
            this.pump();
          });
      };
      this.waiting.push({ write, start });
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length > 0 && !this.writer) {
      const next = this.waiting[0];
      if (next.write && this.readers > 0) return;
      this.waiting.shift();
      next.start();
      if (next.write) return;
    }
  }
}

export class LockedBackend implements EmbeddedBackend {
  private readonly queue = new RwQueue();

  constructor(private readonly inner: EmbeddedBackend) {}

  get modelName(): string {
    return this.inner.modelName;
  }

  get features(): BackendFeatures | undefined {
    return this.inner.features;
  }

  generate(request: GenerateRequest, onDelta?: OnDelta, signal?: AbortSignal): Promise<GenerateResult> {
    return this.queue.read(() => {
      // A client that left while this waited behind a training step needs no generation.
      signal?.throwIfAborted();
      return this.inner.generate(request, onDelta, signal);
    });
  }

  grpoStep(groups: GrpoMember[][], config: GrpoTrainConfig): Promise<TrainStepMetrics> {
    return this.queue.write(() => this.inner.grpoStep(groups, config));
  }

  sft(examples: SftExample[], config: SftConfig): Promise<{ loss: number; steps: number }> {
    return this.queue.write(() => this.inner.sft(examples, config));
  }

  setReference(): Promise<void> {
    return this.queue.write(() => this.inner.setReference());
  }

  saveCheckpoint(dir: string): Promise<void> {
    return this.queue.write(() => this.inner.saveCheckpoint(dir));
  }

  loadCheckpoint(dir: string, options?: LoadCheckpointOptions): Promise<void> {
    return this.queue.write(() => this.inner.loadCheckpoint(dir, options));
  }

  dispose(): Promise<void> {
    return this.queue.write(() => this.inner.dispose());
  }
}
