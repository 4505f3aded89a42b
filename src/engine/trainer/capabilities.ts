import type {
  ArborTrainerConfigKey,
  GRPOInitializeRequest,
  GRPOStepRequest,
  GRPOTrainerConfig,
  TrainerCapabilities,
} from '../../protocol/trainer';

/** What a plain Arbor accepts: none of our extensions. */
export const PLAIN_ARBOR: TrainerCapabilities = { advantage: false, logprobs: false, metrics: false, dry_run: false, variable_group_size: false, trainer_config_extensions: [] };

const KEYS = [
  'temperature', 'beta', 'num_generations', 'per_device_train_batch_size', 'learning_rate',
  'gradient_accumulation_steps', 'gradient_checkpointing', 'lr_scheduler_type', 'max_prompt_length',
  'max_completion_length', 'bf16', 'scale_rewards', 'max_grad_norm', 'report_to', 'log_completions',
  'logging_steps', 'mask_truncated_completions', 'max_seq_len', 'lora_config', 'max_steps',
  'warmup_steps', 'loss_type', 'weight_decay',
] as const satisfies readonly ArborTrainerConfigKey[];

// Compile-time guard: adding a key to the protocol type without listing it here fails to build.
type Missing = Exclude<ArborTrainerConfigKey, (typeof KEYS)[number]>;
const noneMissing: Missing extends never ? true : Missing = true;
void noneMissing;

export const ARBOR_TRAINER_CONFIG_KEYS: readonly string[] = KEYS;

/** Reads a capabilities object leniently: anything not clearly `true` is unsupported. */
export function parseCapabilities(value: unknown): TrainerCapabilities {
  if (typeof value !== 'object' || value === null) return PLAIN_ARBOR;
  const v = value as Record<string, unknown>;
  const ext = Array.isArray(v.trainer_config_extensions)
    ? v.trainer_config_extensions.filter((x): x is string => typeof x === 'string')
    : [];
  return {
    advantage: v.advantage === true,
    logprobs: v.logprobs === true,
    metrics: v.metrics === true,
    dry_run: v.dry_run === true,
    variable_group_size: v.variable_group_size === true,
    sft: v.sft === true,
    trainer_config_extensions: ext,
  };
}

export interface Prepared<T> {
  body: T;
  /** Fields left out because the trainer does not take them (one line each, for the run log). */
  dropped: string[];
}

/** Leaves out per-member advantage/logprobs and step metrics unless the trainer advertises them. */
export function prepareStepBody(req: GRPOStepRequest, caps: TrainerCapabilities): Prepared<GRPOStepRequest> {
  const dropped = new Set<string>();
  const batch = req.batch.map((group) =>
    group.map((member) => {
      const { advantage, logprobs, ...plain } = member;
      const out: typeof member = { ...plain };
      if (advantage !== undefined) {
        if (caps.advantage) out.advantage = advantage;
        else dropped.add('advantage');
      }
      if (logprobs !== undefined) {
        if (caps.logprobs) out.logprobs = logprobs;
        else dropped.add('logprobs');
      }
      return out;
    }),
  );
  const body: GRPOStepRequest = { job_id: req.job_id, model: req.model, batch_id: req.batch_id, batch };
  if (req.metrics !== undefined) {
    if (caps.metrics) body.metrics = req.metrics;
    else dropped.add('metrics');
  }
  return { body, dropped: [...dropped] };
}

/** Leaves out trainer_config keys the trainer would reject, and dry_run unless advertised. */
export function prepareInitializeBody(req: GRPOInitializeRequest, caps: TrainerCapabilities): Prepared<GRPOInitializeRequest> {
  const allowed = new Set([...ARBOR_TRAINER_CONFIG_KEYS, ...(caps.trainer_config_extensions ?? [])]);
  const dropped: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(req.trainer_config)) {
    if (allowed.has(key)) config[key] = value;
    else if (value !== undefined) dropped.push(`trainer_config.${key}`);
  }
  const { dry_run: dryRun, ...rest } = req;
  const body: GRPOInitializeRequest = { ...rest, trainer_config: config as unknown as GRPOTrainerConfig };
  if (dryRun !== undefined) {
    if (caps.dry_run) body.dry_run = dryRun;
    else dropped.push('dry_run');
  }
  return { body, dropped };
}
