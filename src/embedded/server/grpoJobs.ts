import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { BackendFeatures, EmbeddedBackend } from '../backend';
import type { GRPOCheckpointInfo, GRPOJobStatus, GRPOStatus, GRPOStepMetrics, TrainerCapabilities } from '../../protocol/trainer';
import { conflict, notFound, badRequest } from './httpError';
import { inferenceCapabilities } from './inference';
import { makeJobId, safeDirName, slugify } from './modelNames';
import { stepTrainConfig, TRAINER_CONFIG_EXTENSIONS, type JobTrainSettings } from './trainConfig';
import type { CheckpointInput, InitializeInput, StepInput } from './grpoRequests';
import type { SftInput } from './sftRequests';

/** The Arbor extensions this server takes, plus (extension) whether it trains at all and what inference can do. */
export function serverCapabilities(features: BackendFeatures | undefined): TrainerCapabilities {
  return {
    advantage: true,
    logprobs: true,
    metrics: true,
    dry_run: true,
    variable_group_size: true,
    sft: true,
    trainer_config_extensions: [...TRAINER_CONFIG_EXTENSIONS],
    training: features?.training !== false,
    inference: inferenceCapabilities(features),
  };
}

interface Job {
  id: string;
  baseModel: string;
  status: GRPOJobStatus;
  settings: JobTrainSettings;
  globalStep: number;
  checkpoints: Record<string, GRPOCheckpointInfo>;
  lastCheckpoint: string | null;
  pending: number[];
  done: Set<number>;
  lastStepMetrics: GRPOStepMetrics | null;
  /** Tail of this job's work queue: steps, checkpoints and terminate run in arrival order. */
  tail: Promise<unknown>;
}

const ACTIVE: readonly GRPOJobStatus[] = ['pending', 'queued', 'running'];

/** GRPO jobs of one embedded server; one backend, so at most one job trains at a time. */
export class GrpoJobs {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly backend: EmbeddedBackend,
    private readonly checkpointRoot: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Names inference requests may use: the base model and every job's current_model. */
  servedModels(): string[] {
    return [this.backend.modelName, ...this.jobs.keys()];
  }

  /**
   * Supervised warm start (extension route). Refused while a job trains: the
   * job's reference policy and checkpoints assume nothing else moves the weights.
   */
  async sft(input: SftInput): Promise<{ loss: number; steps: number; examples: number }> {
    if (input.model !== this.backend.modelName) {
      throw badRequest(`This server trains \`${this.backend.modelName}\`, not \`${input.model}\`; set \`model\` to it.`, 'model');
    }
    const active = [...this.jobs.values()].find((j) => ACTIVE.includes(j.status));
    if (active) throw conflict(`Job ${active.id} is running; run the warm start before initializing GRPO.`, 'model');
    const r = await this.backend.sft(input.examples, input.config);
    return { ...r, examples: input.examples.length };
  }

  numGenerations(jobId: string): number {
    return this.get(jobId).settings.numGenerations;
  }

  async initialize(input: InitializeInput): Promise<GRPOStatus> {
    if (input.model !== this.backend.modelName) {
      throw badRequest(`This server trains \`${this.backend.modelName}\`, not \`${input.model}\`; set \`model\` to it.`, 'model');
    }
    const active = [...this.jobs.values()].find((j) => ACTIVE.includes(j.status));
    if (active) {
      throw conflict(`Job ${active.id} is still running on this server's only model; terminate or cancel it first.`, 'model');
    }
    const job = this.newJob(input);
    if (input.dryRun) return this.snapshot({ ...job, status: 'pending' });
    await this.backend.setReference();
    this.jobs.set(job.id, job);
    return this.snapshot(job);
  }

  status(jobId: string): GRPOStatus {
    return this.snapshot(this.get(jobId));
  }

  step(input: StepInput): Promise<GRPOStatus> {
    const job = this.get(input.jobId);
    if (input.model !== job.id && input.model !== job.baseModel) {
      throw badRequest(`\`model\` must be this job's current_model (${job.id}), got ${input.model}.`, 'model');
    }
    // Idempotent per batch_id, so a client retrying after a lost answer never trains twice.
    if (job.done.has(input.batchId)) return Promise.resolve(this.snapshot(job));
    if (job.pending.includes(input.batchId)) return job.tail.then(() => this.snapshot(job));
    this.requireActive(job, 'train');
    job.pending.push(input.batchId);
    return this.enqueue(job, () => this.runStep(job, input));
  }

  checkpoint(input: CheckpointInput): Promise<GRPOStatus> {
    const job = this.get(input.jobId);
    return this.enqueue(job, async () => {
      const existing = job.checkpoints[input.name];
      if (existing) {
        if (existing.global_step === job.globalStep) return this.snapshot(job);
        throw conflict(`Checkpoint \`${input.name}\` already exists (step ${existing.global_step}); choose another name.`, 'checkpoint_name');
      }
      await this.save(job, input.name, input.metadata);
      return this.snapshot(job);
    });
  }

  cancel(jobId: string): GRPOStatus {
    const job = this.get(jobId);
    if (ACTIVE.includes(job.status)) job.status = 'cancelled';
    return this.snapshot(job);
  }

  /** Saves a final checkpoint after queued work; inference keeps serving the trained weights. */
  terminate(jobId: string): Promise<GRPOStatus> {
    const job = this.get(jobId);
    return this.enqueue(job, async () => {
      if (!ACTIVE.includes(job.status)) return this.snapshot(job);
      const name = job.checkpoints.final ? `final-step${job.globalStep}` : 'final';
      if (!job.checkpoints[name]) await this.save(job, name, { final: true });
      job.status = 'succeeded';
      return this.snapshot(job);
    });
  }

  private newJob(input: InitializeInput): Job {
    const slug = slugify(input.runName ?? '') || randomBytes(3).toString('hex');
    let id = makeJobId(input.model, slug, this.now());
    for (let i = 2; this.jobs.has(id); i++) id = makeJobId(input.model, `${slug}-${i}`, this.now());
    return {
      id,
      baseModel: input.model,
      status: 'running',
      settings: input.settings,
      globalStep: 0,
      checkpoints: {},
      lastCheckpoint: null,
      pending: [],
      done: new Set(),
      lastStepMetrics: null,
      tail: Promise.resolve(),
    };
  }

  private async runStep(job: Job, input: StepInput): Promise<GRPOStatus> {
    try {
      await this.trainBatch(job, input);
    } finally {
      job.pending = job.pending.filter((id) => id !== input.batchId);
    }
    return this.snapshot(job);
  }

  private async trainBatch(job: Job, input: StepInput): Promise<void> {
    this.requireActive(job, 'train');
    const config = stepTrainConfig(job.settings, job.globalStep);
    const m = await this.backend.grpoStep(input.groups, config);
    job.globalStep++;
    job.done.add(input.batchId);
    job.lastStepMetrics = {
      batch_id: input.batchId,
      global_step: job.globalStep,
      loss: m.loss,
      kl: m.kl,
      clip_ratio: m.clip_ratio,
      grad_norm: m.grad_norm,
      tokens: m.tokens,
      reward_mean: m.reward_mean,
      reward_std: m.reward_std,
      learning_rate: config.learning_rate,
      ...(input.clientMetrics ? { client: input.clientMetrics } : {}),
    };
  }

  private async save(job: Job, name: string, metadata: Record<string, unknown>): Promise<void> {
    const dir = path.join(this.checkpointRoot, safeDirName(job.id), name);
    await this.backend.saveCheckpoint(dir);
    job.checkpoints[name] = {
      checkpoint_name: name,
      checkpoint_dir: dir,
      global_step: job.globalStep,
      metadata,
      timestamp: this.now().toISOString(),
    };
    job.lastCheckpoint = name;
  }

  private enqueue<T>(job: Job, fn: () => Promise<T>): Promise<T> {
    const run = job.tail.then(fn, fn);
    job.tail = run.catch(() => undefined);
    return run;
  }

  private requireActive(job: Job, action: string): void {
    if (!ACTIVE.includes(job.status)) {
      throw conflict(`Cannot ${action}: job ${job.id} is ${job.status}. Initialize a new job to continue training.`, 'job_id');
    }
  }

  private get(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) {
      const known = [...this.jobs.keys()];
      const hint = known.length ? ` Known jobs: ${known.join(', ')}.` : ' Call fine_tuning/grpo/initialize first.';
      throw notFound(`No GRPO job with id \`${jobId}\`.${hint}`, 'job_id');
    }
    return job;
  }

  private snapshot(job: Job): GRPOStatus {
    return {
      job_id: job.id,
      status: job.status,
      current_model: job.id,
      checkpoints: structuredClone(job.checkpoints),
      last_checkpoint: job.lastCheckpoint,
      pending_batch_ids: [...job.pending],
      capabilities: serverCapabilities(this.backend.features),
      last_step_metrics: job.lastStepMetrics,
      global_step: job.globalStep,
    };
  }
}
