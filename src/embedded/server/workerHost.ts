import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
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
import { deserializeError, type BackendMethod, type HostMessage, type WorkerBackendSpec, type WorkerReply } from './workerProtocol';

export type { WorkerBackendSpec } from './workerProtocol';

/**
 * Where the worker script lives and how to start it. The only place that knows
 * the difference between running from sources under tsx (tests) and from the
 * compiled/bundled .js (the bundle must emit backendWorker.js next to itself).
 */
export function resolveWorkerScript(override?: string): { filename: string; execArgv: string[] } {
  const filename = override ?? path.join(__dirname, `backendWorker${path.extname(__filename) || '.js'}`);
  const execArgv = filename.endsWith('.ts') ? ['--require', require.resolve('tsx/cjs')] : [];
  return { filename, execArgv };
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onDelta?: OnDelta;
}

/** Per-call extras: live deltas and cancellation (generate only). */
interface CallOptions {
  onDelta?: OnDelta;
  signal?: AbortSignal;
}

/** An EmbeddedBackend whose model runs in a worker thread, so training never blocks the HTTP thread. */
export class WorkerBackend implements EmbeddedBackend {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private deadReason: string | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly modelName: string,
    readonly features: BackendFeatures | undefined,
  ) {
    worker.on('message', (msg: WorkerReply) => this.onReply(msg));
    worker.on('error', (err) => this.fail(`the model worker crashed: ${err.message}`));
    worker.on('exit', (code) => this.fail(`the model worker exited (code ${code})`));
  }

  /** Starts the worker and waits until the factory has built the backend. */
  static start(spec: WorkerBackendSpec): Promise<WorkerBackend> {
    const { filename, execArgv } = resolveWorkerScript(spec.workerScript);
    const { workerScript: _unused, ...data } = spec;
    const worker = new Worker(filename, { execArgv, workerData: data });
    return new Promise<WorkerBackend>((resolve, reject) => {
      const onExit = (code: number): void => reject(new Error(`The model worker exited during startup (code ${code}).`));
      const onError = (err: Error): void => reject(new Error(`The model worker failed to start: ${err.message}`));
      worker.once('exit', onExit);
      worker.once('error', onError);
      worker.once('message', (msg: WorkerReply) => {
        worker.off('exit', onExit);
        worker.off('error', onError);
        if (msg.kind === 'ready') return resolve(new WorkerBackend(worker, msg.modelName, msg.features));
        void worker.terminate();
        const detail = msg.kind === 'initError' ? msg.error.message : `unexpected message ${msg.kind}`;
        reject(new Error(`Could not build the model backend in the worker: ${detail}`));
      });
    });
  }

  /**
   * The signal is forwarded to the worker, and the call still settles with the
   * worker's own answer, so the read lock is held for as long as the model works.
   */
  generate(request: GenerateRequest, onDelta?: OnDelta, signal?: AbortSignal): Promise<GenerateResult> {
    return this.call('generate', [request], { onDelta, signal }) as Promise<GenerateResult>;
  }

  grpoStep(groups: GrpoMember[][], config: GrpoTrainConfig): Promise<TrainStepMetrics> {
    return this.call('grpoStep', [groups, config]) as Promise<TrainStepMetrics>;
  }

  sft(examples: SftExample[], config: SftConfig): Promise<{ loss: number; steps: number }> {
    return this.call('sft', [examples, config]) as Promise<{ loss: number; steps: number }>;
  }

  setReference(): Promise<void> {
    return this.call('setReference', []) as Promise<void>;
  }

  saveCheckpoint(dir: string): Promise<void> {
    return this.call('saveCheckpoint', [dir]) as Promise<void>;
  }

  loadCheckpoint(dir: string, options?: LoadCheckpointOptions): Promise<void> {
    return this.call('loadCheckpoint', [dir, options]) as Promise<void>;
  }

  /** Disposes the backend inside the worker (bounded wait: it may be mid-step), then stops the thread. */
  async dispose(graceMs = 5000): Promise<void> {
    if (this.deadReason !== undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    try {
      await Promise.race([this.call('dispose', []).catch(() => undefined), grace]);
    } finally {
      clearTimeout(timer);
      this.deadReason = 'the model worker was disposed';
      await this.worker.terminate();
    }
  }

  private call(method: BackendMethod, args: unknown[], options: CallOptions = {}): Promise<unknown> {
    if (this.deadReason !== undefined) {
      return Promise.reject(new Error(`Cannot run ${method}: ${this.deadReason}.`));
    }
    const { onDelta, signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.nextId++;
    const onAbort = (): void => this.post({ kind: 'abort', id });
    signal?.addEventListener('abort', onAbort, { once: true });
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onDelta });
      this.post({ kind: 'call', id, method, args, stream: onDelta !== undefined });
    }).finally(() => signal?.removeEventListener('abort', onAbort));
  }

  private post(msg: HostMessage): void {
    if (this.deadReason === undefined) this.worker.postMessage(msg);
  }

  private onReply(msg: WorkerReply): void {
    if (msg.kind === 'delta') return this.pending.get(msg.id)?.onDelta?.(msg.index, msg.text);
    if (msg.kind !== 'result' && msg.kind !== 'error') return;
    const entry = this.pending.get(msg.id);
    if (!entry) return;
    this.pending.delete(msg.id);
    if (msg.kind === 'result') entry.resolve(msg.value);
    else entry.reject(deserializeError(msg.error));
  }

  private fail(reason: string): void {
    this.deadReason ??= reason;
    for (const entry of this.pending.values()) entry.reject(new Error(`The model call failed: ${reason}.`));
    this.pending.clear();
  }
}
