import * as tf from '@tensorflow/tfjs-core';
import type { BackendFeatures, EmbeddedBackend, LoadCheckpointOptions, GenerateRequest, GenerateResult, GrpoMember, GrpoTrainConfig, OnDelta, SftConfig, SftExample, TrainStepMetrics } from './backend';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { resolveModelConfig, type ModelConfig } from './config';
import { initParams, type ParamMap } from './model';
import { AdamW } from './optimizer';
import { RequestQueue } from './requestQueue';
import { RwLock } from './rwLock';
import type { ModelHandle } from './sampler';
import { initTfBackend } from './tfBackend';
import { ByteTokenizer } from './tokenizer';
import { grpoStep, sft, DEFAULT_TOKEN_BUDGET } from './trainer';

export interface TinyBackendOptions {
  modelName?: string;
  /** Fresh model shape/seed (ignored when loading a checkpoint). */
  config?: Partial<ModelConfig>;
  /** Load this checkpoint instead of initialising fresh weights. */
  checkpointDir?: string;
  /** With checkpointDir: also restore its training state (resuming the run that saved it). */
  resumeTraining?: boolean;
  /** false = no KV cache (benchmarks). Default true. */
  useKvCache?: boolean;
  /** Max sequences (sum of n) decoded together. Default 64. */
  maxBatchSequences?: number;
  /** Padded tokens per training micro-batch (memory bound). */
  tokenBudget?: number;
  /** Folder with the tfjs .wasm files (see resolveWasmDir). */
  wasmDir?: string;
}

export async function createTinyBackend(options: TinyBackendOptions = {}): Promise<TinyBackend> {
  await initTfBackend(options.wasmDir);
  const backend = new TinyBackend(options, resolveModelConfig(options.config));
  if (options.checkpointDir) await backend.loadCheckpoint(options.checkpointDir, { training: options.resumeTraining === true });
  return backend;
}

/** Options `mmgrpo serve` passes to its backend factory. */
export interface ServedBackendOptions {
  /** The server's model folder (checkpoints live under it). */
  modelDir?: string;
  /** Start from the weights in this checkpoint folder (resume, or a trained model). */
  initFrom?: string;
  /** With initFrom: also restore the optimizer state and KL reference saved there (resume only). */
  resumeTraining?: boolean;
  /** Seed of a fresh model's initialization and sampling. */
  seed?: number;
  config?: Partial<ModelConfig>;
  modelName?: string;
}

/** The factory behind `mmgrpo serve`: a fresh seeded model, or saved weights with --init-from. */
export function createServedBackend(options: ServedBackendOptions = {}): Promise<TinyBackend> {
  const config = { ...options.config, ...(options.seed !== undefined ? { seed: options.seed } : {}) };
  return createTinyBackend({ modelName: options.modelName, config, checkpointDir: options.initFrom, resumeTraining: options.resumeTraining });
}

/**
 * The whole embedded model behind the server's interface. Decode batches run
 * under a shared lock; training, reference snapshots and loads take it
 * exclusively, so no batch ever sees weights change mid-sequence.
 */
export class TinyBackend implements EmbeddedBackend {
  readonly modelName: string;
  readonly features: BackendFeatures = { training: true, logprobs: true, responseFormat: true };
  private handle: ModelHandle;
  private reference?: ParamMap;
  private optimizer = new AdamW();
  private readonly lock = new RwLock();
  private readonly queue: RequestQueue;

  constructor(private readonly options: TinyBackendOptions, config: ModelConfig) {
    this.modelName = options.modelName ?? 'tiny';
    this.handle = { params: initParams(config), config, tokenizer: new ByteTokenizer() };
    this.queue = new RequestQueue(() => this.handle, (fn) => this.lock.read(fn), {
      useKvCache: options.useKvCache ?? true,
      maxBatchSequences: options.maxBatchSequences ?? 64,
      seed: config.seed,
    });
  }

  get config(): ModelConfig {
    return this.handle.config;
  }

  /** Live parameters (for tests and benchmarks; do not dispose). */
  get params(): ParamMap {
    return this.handle.params;
  }

  /**
   * The batched sampler has no per-token hook yet, so the deltas are reported when
   * the result is ready: one per character (a whole UTF-8 sequence of byte tokens),
   * so they concatenate to the text. An abort cannot stop a batch already decoding
   * (other requests share it); it skips a request aborted before it is queued and drops the result.
   */
  async generate(request: GenerateRequest, onDelta?: OnDelta, signal?: AbortSignal): Promise<GenerateResult> {
    signal?.throwIfAborted();
    const result = await this.queue.submit(request);
    signal?.throwIfAborted();
    if (onDelta) result.choices.forEach((c, i) => { for (const ch of c.text) onDelta(i, ch); });
    return result;
  }

  grpoStep(groups: GrpoMember[][], config: GrpoTrainConfig): Promise<TrainStepMetrics> {
    return this.lock.write(() => {
      // A KL term needs a frozen policy: without an explicit setReference, the weights before the first update.
      if (config.beta > 0 && !this.reference) this.reference = cloneParams(this.handle.params);
      return grpoStep({ model: this.handle, optimizer: this.optimizer, reference: this.reference, groups, config, tokenBudget: this.options.tokenBudget ?? DEFAULT_TOKEN_BUDGET });
    });
  }

  sft(examples: SftExample[], config: SftConfig): Promise<{ loss: number; steps: number }> {
    return this.lock.write(() => sft(this.handle, examples, config, this.options.tokenBudget));
  }

  setReference(): Promise<void> {
    return this.lock.write(() => {
      if (this.reference) tf.dispose([...this.reference.values()]);
      this.reference = cloneParams(this.handle.params);
    });
  }

  saveCheckpoint(dir: string): Promise<void> {
    // The optimizer's moments and the KL reference go with the weights, so a run resumed from
    // this checkpoint takes the very updates the uninterrupted run would have. Read live: the
    // read lock keeps training steps (writers) out until the save is done.
    return this.lock.read(() => {
      const optimizer = this.optimizer.state();
      const training = this.reference ? { optimizer, reference: this.reference } : { optimizer };
      return saveCheckpoint(dir, this.handle.config, this.handle.tokenizer, this.handle.params, training);
    });
  }

  loadCheckpoint(dir: string, options: LoadCheckpointOptions = {}): Promise<void> {
    return this.lock.write(async () => {
      const ck = await loadCheckpoint(dir, options.training === true);
      const params: ParamMap = new Map([...ck.weights].map(([k, t]) => [k, tf.variable(t, true)]));
      tf.dispose([...ck.weights.values()]);
      this.disposeModel();
      this.handle = { params, config: ck.config, tokenizer: ck.tokenizer };
      // Without it (evaluation, a new stage from trained weights) the optimizer starts fresh.
      if (ck.training) {
        this.optimizer.restore(ck.training.optimizer);
        this.reference = ck.training.reference;
      }
    });
  }

  dispose(): Promise<void> {
    return this.lock.write(() => this.disposeModel());
  }

  private disposeModel(): void {
    tf.dispose([...this.handle.params.values()]);
    if (this.reference) tf.dispose([...this.reference.values()]);
    this.reference = undefined;
    this.optimizer.dispose();
    this.optimizer = new AdamW();
  }
}

function cloneParams(p: ParamMap): ParamMap {
  return new Map([...p].map(([k, t]) => [k, tf.clone(t)]));
}
