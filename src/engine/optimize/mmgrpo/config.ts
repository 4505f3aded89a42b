import type { FillStrategy, GroupingMode } from './types';
import { EXIT, MmgrpoError } from '../../errors';

export type LossType = 'grpo' | 'bnpo' | 'dr_grpo' | 'dapo';

/** Trainer-side settings, sent to the trainer (Arbor names in brackets). */
export interface TrainerSettings {
  /** Loss normalization [loss_type]. */
  lossType: LossType;
  /** Optimizer learning rate [learning_rate]. */
  learningRate: number;
  /** KL coefficient to the reference policy [beta]; 0 skips the reference. */
  beta: number;
  /** Lower clip range of the policy ratio [epsilon_low]. */
  epsilonLow: number;
  /** Upper clip range ("clip higher" allows 0.28) [epsilon_high]. */
  epsilonHigh: number;
  /** Optimizer iterations per batch; > 1 makes clipping live. */
  numIterations: number;
  /** Divide advantages by the group std [scale_rewards]. */
  scaleRewards: boolean;
  /** Global gradient-norm clip [max_grad_norm]. */
  maxGradNorm: number;
  /** LoRA rank, where the trainer supports LoRA (0 = full fine-tuning) [lora_config.r]. */
  loraRank: number;
  /** LoRA alpha [lora_config.lora_alpha]. */
  loraAlpha: number;
}

/** Where programs run and weights train: see BackendSettings.kind. */
export const BACKEND_KINDS = ['embedded', 'local', 'remote'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** Whether a backend can train weights (the local GGUF model only serves inference). */
export function backendTrains(kind: BackendKind): boolean {
  return kind !== 'local';
}

/** Whether the backend's model can write instructions for prompt optimization (the tiny embedded one cannot). */
export function backendWrites(kind: BackendKind): boolean {
  return kind !== 'embedded';
}

/**
 * Whether the engine asks the backend for structured outputs (JSON Schema
 * constrained decoding): the local server enforces them. The tiny embedded
 * model keeps the marker format its warm start and training use (guided_choice
 * still constrains single-literal outputs); remote servers differ in what
 * they accept, so they keep today's requests.
 */
export function backendStructuredOutputs(kind: BackendKind): boolean {
  return kind === 'local';
}

export interface BackendSettings {
  /**
   * `embedded` starts our tiny CPU model server (trains weights); `local` starts a
   * real pretrained GGUF model on the CPU (`model`: a pulled model's name or a
   * .gguf path; inference only); `remote` uses the URLs below.
   */
  kind: BackendKind;
  /** OpenAI-compatible inference base URL (remote). */
  inferenceUrl?: string;
  /** Arbor-compatible trainer base URL (remote; often the same server). */
  trainerUrl?: string;
  /** Model name to serve and train (remote), the local model (name or .gguf path), or the embedded model's name. */
  model?: string;
}

export interface Budgets {
  /** Stop cleanly after this many LM calls (0 = unlimited). */
  maxLMCalls: number;
  /** Stop cleanly after this many prompt + completion tokens (0 = unlimited). */
  maxTokens: number;
  /** Stop cleanly after this many seconds of wall time (0 = unlimited). */
  maxSeconds: number;
}

/** MMGRPO settings; every field has a default (see MMGRPO_DEFAULTS) and a one-line doc. */
export interface MMGRPOConfig {
  /** Training steps [num_train_steps]. */
  steps: number;
  /** Inputs per step, B [num_dspy_examples_per_grpo_step]. */
  examplesPerStep: number;
  /** Rollouts per input, G (>= 2) [num_rollouts_per_grpo_step]. */
  rolloutsPerExample: number;
  /** Rollouts in flight at once [num_threads]. */
  concurrency: number;
  /** Seed for data order, sampling seeds, fill draws and tie-breaks. */
  seed: number;
  /** Validate every this many steps (also at step 0 and the last step) [num_steps_for_val]. */
  valEvery: number;
  /** Use the train set for validation when the task has no valset. */
  useTrainAsVal: boolean;
  /** Reward of a rollout whose program or metric raised [failure_score]. */
  failureScore: number;
  /** Reward of a rollout whose module output did not parse at all [format_failure_score]. */
  formatFailureScore: number;
  /** Grouping when rollouts call a module a different number of times. */
  groupingMode: GroupingMode;
  /** How `fill` pads short rollouts: random own call, or repeat the last. */
  fillStrategy?: FillStrategy;
  /** Keep K members per group maximizing reward diversity (0 = keep all). */
  selectKDiverse: number;
  /** Names of teacher programs sharing the rollouts (off-policy), besides the student. */
  teachers: string[];
  /** Sampling temperature for rollouts (> 0). */
  temperature: number;
  /** Completion token limit per module call. */
  maxTokens: number;
  trainer: TrainerSettings;
  backend: BackendSettings;
  budgets: Budgets;
}

export const MMGRPO_DEFAULTS: MMGRPOConfig = {
  steps: 20,
  examplesPerStep: 4,
  rolloutsPerExample: 8,
  concurrency: 16,
  seed: 0,
  valEvery: 5,
  useTrainAsVal: false,
  failureScore: 0,
  formatFailureScore: -1,
  groupingMode: 'ragged',
  fillStrategy: undefined,
  selectKDiverse: 0,
  teachers: [],
  temperature: 1.0,
  maxTokens: 256,
  trainer: {
    lossType: 'dapo',
    learningRate: 1e-5,
    beta: 0,
    epsilonLow: 0.2,
    epsilonHigh: 0.2,
    numIterations: 1,
    scaleRewards: true,
    maxGradNorm: 1.0,
    loraRank: 0,
    loraAlpha: 16,
  },
  backend: { kind: 'embedded' },
  budgets: { maxLMCalls: 0, maxTokens: 0, maxSeconds: 0 },
};

export type MMGRPOConfigInput = Partial<Omit<MMGRPOConfig, 'trainer' | 'backend' | 'budgets'>> & {
  trainer?: Partial<TrainerSettings>;
  backend?: Partial<BackendSettings>;
  budgets?: Partial<Budgets>;
};

/** Invalid configuration: rejected before any LM call, saying what to change (bad input: exit 2). */
export class ConfigError extends MmgrpoError {
  constructor(message: string) {
    super(message, { exitCode: EXIT.usage });
    this.name = 'ConfigError';
  }
}

export interface ResolveOptions {
  /**
   * False when nothing in the run trains (a prompt-only composed run): a
   * remote backend then needs only inferenceUrl and model. Default true, so
   * `mmgrpo train` and every weights stage keep requiring the trainer.
   */
  needsTrainer?: boolean;
}

export function resolveMMGRPOConfig(input: MMGRPOConfigInput = {}, options: ResolveOptions = {}): MMGRPOConfig {
  rejectUnknown(input as Record<string, unknown>, MMGRPO_DEFAULTS as unknown as Record<string, unknown>, { noDefault: NO_DEFAULT_KEYS });
  const config: MMGRPOConfig = {
    ...MMGRPO_DEFAULTS,
    ...stripUndefined(input),
    trainer: { ...MMGRPO_DEFAULTS.trainer, ...stripUndefined(input.trainer ?? {}) },
    backend: { ...MMGRPO_DEFAULTS.backend, ...stripUndefined(input.backend ?? {}) },
    budgets: { ...MMGRPO_DEFAULTS.budgets, ...stripUndefined(input.budgets ?? {}) },
    teachers: input.teachers ?? [],
  };
  validateMMGRPOConfig(config, options);
  return config;
}

/** A misspelled setting would silently fall back to its default: name it instead. */
/** Backend settings without a default (so not keys of MMGRPO_DEFAULTS), yet known. */
const NO_DEFAULT_KEYS: Record<string, readonly string[]> = { 'backend.': ['inferenceUrl', 'trainerUrl', 'model'] };

/**
 * Rejects keys of `input` that `known` does not have (nested objects checked
 * against nested defaults, named `prefix` + key). `label` names what a key is
 * in the message; `noDefault` lists known keys per prefix that `known` lacks.
 */
export function rejectUnknown(
  input: Record<string, unknown>,
  known: Record<string, unknown>,
  o: { prefix?: string; label?: string; noDefault?: Record<string, readonly string[]> } = {},
): void {
  const prefix = o.prefix ?? '';
  const unknown = Object.keys(input ?? {}).filter((key) => !(key in known) && !o.noDefault?.[prefix]?.includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(`Unknown ${o.label ?? 'setting'} ${unknown.map((k) => `"${prefix}${k}"`).join(', ')}. Known: ${Object.keys(known).map((k) => prefix + k).join(', ')}.`);
  }
  for (const key of Object.keys(input ?? {})) {
    const sub = known[key];
    if (sub && typeof sub === 'object' && !Array.isArray(sub) && input[key] && typeof input[key] === 'object') {
      rejectUnknown(input[key] as Record<string, unknown>, sub as Record<string, unknown>, { ...o, prefix: `${prefix}${key}.` });
    }
  }
}

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const GROUPING_MODES: readonly GroupingMode[] = ['truncate', 'fill', 'ragged'];
const FILL_STRATEGIES: readonly FillStrategy[] = ['randint', 'max'];
const LOSS_TYPES: readonly LossType[] = ['grpo', 'bnpo', 'dr_grpo', 'dapo'];

export function validateMMGRPOConfig(c: MMGRPOConfig, options: ResolveOptions = {}): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new ConfigError(`${name} must be a whole number >= ${min} (got ${JSON.stringify(v)}).`);
  };
  const num = (name: string, v: number, min: number, max = Infinity) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new ConfigError(`${name} must be a number in [${min}, ${max}] (got ${JSON.stringify(v)}).`);
  };
  int('steps', c.steps, 0);
  int('examplesPerStep', c.examplesPerStep, 1);
  if (!Number.isInteger(c.rolloutsPerExample) || c.rolloutsPerExample < 2) {
    throw new ConfigError(`rolloutsPerExample must be at least 2 (got ${JSON.stringify(c.rolloutsPerExample)}): group-relative advantages compare rollouts of the same input.`);
  }
  int('concurrency', c.concurrency, 1);
  int('seed', c.seed, 0);
  int('valEvery', c.valEvery, 1);
  num('failureScore', c.failureScore, -Infinity);
  num('formatFailureScore', c.formatFailureScore, -Infinity);
  if (c.formatFailureScore >= c.failureScore) {
    throw new ConfigError(`formatFailureScore (${c.formatFailureScore}) must be lower than failureScore (${c.failureScore}): a rollout whose output did not parse must score below one that ran. Lower formatFailureScore, e.g. to ${c.failureScore - 1}.`);
  }
  if (!GROUPING_MODES.includes(c.groupingMode)) {
    throw new ConfigError(`groupingMode "${c.groupingMode}" is unknown; use one of ${GROUPING_MODES.join(', ')}.`);
  }
  if (c.groupingMode === 'fill' && !c.fillStrategy) {
    throw new ConfigError(`groupingMode "fill" needs fillStrategy: "randint" (pad with random own calls) or "max" (repeat the last call).`);
  }
  if (c.fillStrategy !== undefined && !FILL_STRATEGIES.includes(c.fillStrategy)) {
    throw new ConfigError(`fillStrategy "${c.fillStrategy}" is unknown; use randint or max.`);
  }
  int('selectKDiverse', c.selectKDiverse, 0);
  if (c.selectKDiverse === 1 || c.selectKDiverse > c.rolloutsPerExample) {
    throw new ConfigError(`selectKDiverse must be 0 (keep all) or between 2 and rolloutsPerExample (${c.rolloutsPerExample}); got ${c.selectKDiverse}.`);
  }
  num('temperature', c.temperature, Number.MIN_VALUE, 5);
  int('maxTokens', c.maxTokens, 1);
  validateTrainer(c.trainer, num, int);
  validateBackend(c.backend, options.needsTrainer ?? true);
  for (const k of ['maxLMCalls', 'maxTokens', 'maxSeconds'] as const) num(`budgets.${k}`, c.budgets[k], 0);
}

type NumCheck = (name: string, v: number, min: number, max?: number) => void;

function validateTrainer(t: TrainerSettings, num: NumCheck, int: NumCheck): void {
  if (!LOSS_TYPES.includes(t.lossType)) throw new ConfigError(`trainer.lossType "${t.lossType}" is unknown; use one of ${LOSS_TYPES.join(', ')}.`);
  num('trainer.learningRate', t.learningRate, Number.MIN_VALUE, 1);
  num('trainer.beta', t.beta, 0);
  num('trainer.epsilonLow', t.epsilonLow, 0, 1);
  num('trainer.epsilonHigh', t.epsilonHigh, 0, 10);
  int('trainer.numIterations', t.numIterations, 1);
  num('trainer.maxGradNorm', t.maxGradNorm, 0);
  int('trainer.loraRank', t.loraRank, 0);
  num('trainer.loraAlpha', t.loraAlpha, 0);
}

function validateBackend(b: BackendSettings, needsTrainer: boolean): void {
  if (!(BACKEND_KINDS as readonly string[]).includes(b.kind)) throw new ConfigError(`backend.kind "${String(b.kind)}" is unknown; use ${BACKEND_KINDS.join(', ')}.`);
  if (b.kind === 'local' && needsTrainer) {
    throw new ConfigError('the local backend serves a real pretrained model for inference only, so it cannot train weights (w stages, --warm-start-epochs, --init-from). Optimize prompts on it with --strategy p, or train weights with --backend embedded (the tiny CPU model) or --backend remote (an Arbor trainer).');
  }
  if (b.kind !== 'remote') return;
  const example = needsTrainer
    ? '--inference-url http://gpu-host:8000/v1 --trainer-url http://gpu-host:7453/v1 --model Qwen/Qwen3-8B'
    : '--inference-url http://gpu-host:8000/v1 --model Qwen/Qwen3-8B';
  for (const k of ['inferenceUrl', 'trainerUrl', 'model'] as const) {
    if (k === 'trainerUrl' && !needsTrainer) continue;
    if (!b[k]) throw new ConfigError(`backend.kind "remote" needs backend.${k} (e.g. ${example}).`);
  }
  for (const k of ['inferenceUrl', 'trainerUrl'] as const) {
    if (!b[k] && k === 'trainerUrl' && !needsTrainer) continue; // nothing trains: the trainer may be left out
    try {
      const u = new URL(b[k]!);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new ConfigError(`backend.${k} ${JSON.stringify(b[k])} is not an http(s) URL.`);
    }
  }
}
