import { GRPO_LOSS_TYPES } from '../../protocol/trainer';
import type { GrpoTrainConfig } from '../backend';
import type { GRPOTrainerConfig, LoraConfig } from '../../protocol/trainer';
import { badRequest } from './httpError';
import { checkString, Fields } from './fields';

export const ARBOR_TRAINER_CONFIG_KEYS = [
  'temperature', 'beta', 'num_generations', 'per_device_train_batch_size', 'learning_rate',
  'gradient_accumulation_steps', 'gradient_checkpointing', 'lr_scheduler_type', 'max_prompt_length',
  'max_completion_length', 'bf16', 'scale_rewards', 'max_grad_norm', 'report_to', 'log_completions',
  'logging_steps', 'mask_truncated_completions', 'max_seq_len', 'lora_config', 'max_steps',
  'warmup_steps', 'loss_type', 'weight_decay',
] as const;

/** trainer_config keys this server takes beyond Arbor's (advertised in capabilities). */
export const TRAINER_CONFIG_EXTENSIONS = ['epsilon', 'epsilon_high', 'num_iterations'] as const;

/** Schedules the embedded trainer implements; others would silently train with the wrong rate. */
export const LR_SCHEDULERS = ['constant', 'constant_with_warmup', 'linear', 'cosine'] as const;
type LrScheduler = (typeof LR_SCHEDULERS)[number];

/** Validated trainer settings of one job, defaults filled in (DSPy client defaults where it has them). */
export interface JobTrainSettings {
  numGenerations: number;
  scheduler: LrScheduler;
  warmupSteps: number;
  maxSteps: number;
  /** Per-step config; learning_rate is the peak, the schedule scales it. */
  base: GrpoTrainConfig;
  /** The request's trainer_config, as sent (for the record). */
  raw: GRPOTrainerConfig;
}

function readLora(f: Fields): LoraConfig | undefined {
  const lora = f.optObject('lora_config');
  if (!lora) return undefined;
  lora.allowOnly(['r', 'lora_alpha', 'target_modules', 'lora_dropout']);
  const tm = lora.obj.target_modules;
  if (tm !== undefined && tm !== null && typeof tm !== 'string') {
    const list = Array.isArray(tm) ? tm : [tm];
    list.forEach((m, i) => checkString(m, `${lora.at('target_modules')}[${i}]`));
  }
  return {
    r: lora.optNumber('r', { integer: true, min: 1, max: 4096 }),
    lora_alpha: lora.optNumber('lora_alpha', { above: 0 }),
    lora_dropout: lora.optNumber('lora_dropout', { min: 0, max: 1 }),
  };
}

function readReportTo(f: Fields): void {
  const v = f.obj.report_to;
  if (v === undefined || v === null || typeof v === 'string') return;
  const list = Array.isArray(v) ? v : [v];
  list.forEach((item, i) => checkString(item, `${f.at('report_to')}[${i}]`));
}

/** Keys that only need a type check: the CPU trainer has no use for them. */
function checkAcceptedOnly(f: Fields): void {
  f.optNumber('per_device_train_batch_size', { integer: true, min: 1 });
  f.optNumber('gradient_accumulation_steps', { integer: true, min: 1 });
  f.optBoolean('gradient_checkpointing');
  f.optNumber('max_prompt_length', { integer: true, min: 1 });
  f.optBoolean('bf16');
  f.optBoolean('log_completions');
  f.optNumber('logging_steps', { integer: true, min: 1 });
  f.optBoolean('mask_truncated_completions');
  f.optNumber('max_seq_len', { integer: true, min: 1 });
  readReportTo(f);
  readLora(f);
}

export function readTrainerConfig(value: unknown, path: string): JobTrainSettings {
  const f = new Fields(value, path).allowOnly([...ARBOR_TRAINER_CONFIG_KEYS, ...TRAINER_CONFIG_EXTENSIONS]);
  checkAcceptedOnly(f);
  const epsilon = f.optNumber('epsilon', { above: 0, max: 1 }) ?? 0.2;
  const base: GrpoTrainConfig = {
    learning_rate: f.optNumber('learning_rate', { above: 0, max: 1 }) ?? 1e-6,
    beta: f.optNumber('beta', { min: 0 }) ?? 0,
    epsilon_low: epsilon,
    epsilon_high: f.optNumber('epsilon_high', { above: 0, max: 1 }) ?? epsilon,
    loss_type: f.optEnum('loss_type', GRPO_LOSS_TYPES) ?? 'dapo',
    scale_rewards: f.optBoolean('scale_rewards') ?? true,
    max_grad_norm: f.optNumber('max_grad_norm', { above: 0 }) ?? 1.0,
    weight_decay: f.optNumber('weight_decay', { min: 0 }) ?? 0,
    num_iterations: f.optNumber('num_iterations', { integer: true, min: 1, max: 64 }) ?? 1,
    max_completion_length: f.optNumber('max_completion_length', { integer: true, min: 1 }) ?? 256,
    temperature: f.optNumber('temperature', { above: 0, max: 10 }) ?? 1.0,
  };
  const scheduler = f.optEnum('lr_scheduler_type', LR_SCHEDULERS) ?? 'constant_with_warmup';
  const numGenerations = f.number('num_generations', { integer: true, min: 2, max: 1024 });
  const maxSteps = f.optNumber('max_steps', { integer: true, min: 1 }) ?? 500;
  const warmupSteps = f.optNumber('warmup_steps', { integer: true, min: 0 }) ?? 10;
  return { numGenerations, scheduler, warmupSteps, maxSteps, base, raw: f.obj as unknown as GRPOTrainerConfig };
}

/**
 * Learning rate for the step with 0-based index `step` (HF Trainer's schedule shapes),
 * except that warmup starts above zero: a zero-rate first step would waste a batch.
 */
export function scheduledLearningRate(s: JobTrainSettings, step: number): number {
  const peak = s.base.learning_rate;
  const warm = s.scheduler === 'constant' ? 0 : s.warmupSteps;
  if (step < warm) return (peak * (step + 1)) / (warm + 1);
  if (s.scheduler === 'constant' || s.scheduler === 'constant_with_warmup') return peak;
  const span = Math.max(1, s.maxSteps - warm);
  const progress = Math.min(1, (step - warm) / span);
  if (s.scheduler === 'linear') return peak * (1 - progress);
  return peak * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** Per-step config; rejects a run past max_steps rather than training at a zero rate. */
export function stepTrainConfig(s: JobTrainSettings, step: number): GrpoTrainConfig {
  if (step >= s.maxSteps) {
    throw badRequest(
      `This job has reached max_steps (${s.maxSteps}); initialize a new job with a larger trainer_config.max_steps to keep training.`,
      'batch',
    );
  }
  return { ...s.base, learning_rate: scheduledLearningRate(s, step) };
}
