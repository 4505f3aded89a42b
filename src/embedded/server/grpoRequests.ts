import type { GrpoMember } from '../backend';
import { badRequest } from './httpError';
import { asArray, checkNumber, Fields, joinPath, readMessages } from './fields';
import { readTrainerConfig, type JobTrainSettings } from './trainConfig';
import { isSafeCheckpointName, stripModelPrefix } from './modelNames';

export interface InitializeInput {
  model: string;
  runName?: string;
  settings: JobTrainSettings;
  maxSeqLen: number;
  dryRun: boolean;
}

export interface StepInput {
  jobId: string;
  model: string;
  batchId: number;
  groups: GrpoMember[][];
  clientMetrics?: Record<string, number>;
}

export interface CheckpointInput {
  jobId: string;
  name: string;
  metadata: Record<string, unknown>;
}

function readGpuConfig(f: Fields): void {
  const gpu = f.optObject('gpu_config');
  if (!gpu) return;
  gpu.allowOnly(['type', 'multi']);
  gpu.string('type');
  const multi = gpu.optObject('multi');
  if (!multi) return;
  multi.allowOnly(['num_inference_gpus', 'num_training_gpus']);
  multi.optNumber('num_inference_gpus', { integer: true, min: 0 });
  multi.optNumber('num_training_gpus', { integer: true, min: 0 });
}

export function parseInitialize(body: unknown): InitializeInput {
  const f = new Fields(body, '').allowOnly(['model', 'run_name', 'trainer_config', 'inference_config', 'gpu_config', 'dry_run']);
  const model = stripModelPrefix(f.string('model'));
  const runName = f.optString('run_name');
  const settings = readTrainerConfig(f.required('trainer_config'), 'trainer_config');
  const inf = f.object('inference_config').allowOnly(['model', 'max_seq_len', 'num_gpus']);
  const infModel = stripModelPrefix(inf.string('model'));
  if (infModel !== model) {
    throw badRequest(
      `\`inference_config.model\` (${infModel}) must name the same model as \`model\` (${model}): one model is trained and served.`,
      'inference_config.model',
    );
  }
  const maxSeqLen = inf.number('max_seq_len', { integer: true, min: 1 });
  inf.optNumber('num_gpus', { integer: true, min: 0 });
  readGpuConfig(f);
  return { model, runName, settings, maxSeqLen, dryRun: f.optBoolean('dry_run') ?? false };
}

function readMember(raw: unknown, path: string): GrpoMember {
  const f = new Fields(raw, path).allowOnly(['messages', 'completion', 'reward', 'advantage', 'logprobs']);
  const messages = readMessages(f.required('messages'), f.at('messages'));
  const c = f.object('completion').allowOnly(['role', 'content']);
  if (c.obj.role !== 'assistant') {
    throw badRequest(`\`${c.at('role')}\` must be "assistant", got ${JSON.stringify(c.obj.role) ?? 'nothing'}.`, c.at('role'));
  }
  if (typeof c.obj.content !== 'string') {
    throw badRequest(`\`${c.at('content')}\` must be the sampled completion text (a string).`, c.at('content'));
  }
  const member: GrpoMember = { messages, completion: c.obj.content, reward: f.number('reward') };
  const advantage = f.optNumber('advantage');
  if (advantage !== undefined) member.advantage = advantage;
  if (f.has('logprobs')) {
    member.logprobs = asArray(f.obj.logprobs, f.at('logprobs')).map((lp, i) =>
      checkNumber(lp, joinPath(f.at('logprobs'), i), { max: 0 }),
    );
  }
  return member;
}

function readMetrics(f: Fields): Record<string, number> | undefined {
  const m = f.optObject('metrics');
  if (!m) return undefined;
  const out: Record<string, number> = {};
  for (const key of Object.keys(m.obj)) out[key] = checkNumber(m.obj[key], m.at(key));
  return out;
}

/**
 * `numGenerations` comes from the job. A group whose members all carry a
 * precomputed advantage may be smaller (ragged/truncated module groups: the
 * advantage already encodes the group, so nothing needs padding); otherwise
 * every group must be exactly that size, as Arbor requires.
 */
export function parseStep(body: unknown, numGenerations: (jobId: string) => number): StepInput {
  const f = new Fields(body, '').allowOnly(['job_id', 'model', 'batch_id', 'batch', 'metrics']);
  const jobId = f.string('job_id');
  const model = stripModelPrefix(f.string('model'));
  const batchId = f.number('batch_id', { integer: true, min: 0 });
  const batch = asArray(f.required('batch'), 'batch');
  if (batch.length === 0) throw badRequest('`batch` must hold at least one group.', 'batch');
  const size = numGenerations(jobId);
  const groups = batch.map((rawGroup, g) => {
    const group = asArray(rawGroup, `batch[${g}]`);
    const precomputed = group.length >= 2 && group.length <= size && group.every((m) => typeof m === 'object' && m !== null && 'advantage' in m);
    if (group.length !== size && !precomputed) {
      throw badRequest(
        `Group \`batch[${g}]\` has ${group.length} member(s) but this job's num_generations is ${size}; ` +
          `send exactly ${size} completions per group, or 2 to ${size} members that all carry \`advantage\` (or initialize with another num_generations).`,
        `batch[${g}]`,
      );
    }
    return group.map((raw, m) => readMember(raw, `batch[${g}][${m}]`));
  });
  return { jobId, model, batchId, groups, clientMetrics: readMetrics(f) };
}

export function parseCheckpoint(body: unknown): CheckpointInput {
  const f = new Fields(body, '').allowOnly(['job_id', 'checkpoint_name', 'metadata']);
  const jobId = f.string('job_id');
  const name = f.string('checkpoint_name');
  if (!isSafeCheckpointName(name)) {
    throw badRequest(
      '`checkpoint_name` may use only letters, digits, ".", "_" and "-" (1-100 characters), because it becomes a directory name.',
      'checkpoint_name',
    );
  }
  const metadata = f.optObject('metadata')?.obj ?? {};
  return { jobId, name, metadata };
}

export function parseJobRequest(body: unknown): string {
  return new Fields(body, '').allowOnly(['job_id']).string('job_id');
}
