import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  EmbeddedBackend,
  GenerateRequest,
  GenerateResult,
  GrpoMember,
  GrpoTrainConfig,
  LoadCheckpointOptions,
  SftConfig,
  SftExample,
  TrainStepMetrics,
} from '../backend';
import type { BackendMethod, SerializedError, WorkerBackendSpec, WorkerReply } from './workerProtocol';

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

function toError(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** An EmbeddedBackend whose model runs in a worker thread, so training never blocks the HTTP thread. */
export class WorkerBackend implements EmbeddedBackend {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private deadReason: string | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly modelName: string,
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
        if (msg.kind === 'ready') return resolve(new WorkerBackend(worker, msg.modelName));
        void worker.terminate();
        const detail = msg.kind === 'initError' ? msg.error.message : `unexpected message ${msg.kind}`;
        reject(new Error(`Could not build the model backend in the worker: ${detail}`));
      });
    });
  }

  generate(request: GenerateRequest): Promise<GenerateResult> {
    return this.call('generate', [request]) as Promise<GenerateResult>;
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

  private call(method: BackendMethod, args: unknown[]): Promise<unknown> {
    if (this.deadReason !== undefined) {
      return Promise.reject(new Error(`Cannot run ${method}: ${this.deadReason}.`));
    }
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  private onReply(msg: WorkerReply): void {
    if (msg.kind !== 'result' && msg.kind !== 'error') return;
    const entry = this.pending.get(msg.id);
    if (!entry) return;
    this.pending.delete(msg.id);
    if (msg.kind === 'result') entry.resolve(msg.value);
    else entry.reject(toError(msg.error));
  }

  private fail(reason: string): void {
    this.deadReason ??= reason;
    for (const entry of this.pending.values()) entry.reject(new Error(`The model call failed: ${reason}.`));
    this.pending.clear();
  }
}
