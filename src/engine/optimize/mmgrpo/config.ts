import type { z } from 'zod/v4';
import { EXIT, MmgrpoError } from '../../../protocol/errors';
import { firstIssue, MMGRPOConfigInputSchema, MMGRPOConfigSchema, type BackendKind, type BackendSettings, type MMGRPOConfig, type MMGRPOConfigInput } from './configSchema';

export {
  BACKEND_KINDS, MMGRPOConfigInputSchema, MMGRPOConfigSchema,
  type BackendKind, type BackendSettings, type Budgets, type LossType, type MMGRPOConfig, type MMGRPOConfigInput, type TrainerSettings,
} from './configSchema';

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
  rejectUnknown(input as Record<string, unknown>, knownKeys(MMGRPOConfigSchema));
  // Checked before defaults fill it in: a section that is not an object would otherwise merge as nothing.
  const given = MMGRPOConfigInputSchema.safeParse(input);
  if (!given.success) throw new ConfigError(firstIssue(given.error));
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

/** The setting names of an object schema, nested sections as nested objects (what rejectUnknown checks against). */
export function knownKeys(schema: z.ZodObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const inner = unwrapOptional(field as z.ZodType);
    out[key] = inner.def.type === 'object' ? knownKeys(inner as z.ZodObject) : true;
  }
  return out;
}

function unwrapOptional(field: z.ZodType): z.ZodType {
  return field.def.type === 'optional' ? unwrapOptional((field as z.ZodOptional).def.innerType as z.ZodType) : field;
}

/**
 * A misspelled setting would silently fall back to its default: name it
 * instead. Rejects keys of `input` that `known` does not have (nested objects
 * checked against nested ones, named `prefix` + key); `label` names what a key is.
 */
export function rejectUnknown(input: Record<string, unknown>, known: Record<string, unknown>, o: { prefix?: string; label?: string } = {}): void {
  const prefix = o.prefix ?? '';
  const unknown = Object.keys(input ?? {}).filter((key) => !(key in known));
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

/** Field by field through the schema (its messages), then the rules that relate fields. */
export function validateMMGRPOConfig(c: MMGRPOConfig, options: ResolveOptions = {}): void {
  const parsed = MMGRPOConfigSchema.safeParse(c);
  if (!parsed.success) throw new ConfigError(firstIssue(parsed.error));
  if (c.formatFailureScore >= c.failureScore) {
    throw new ConfigError(`formatFailureScore (${c.formatFailureScore}) must be lower than failureScore (${c.failureScore}): a rollout whose output did not parse must score below one that ran. Lower formatFailureScore, e.g. to ${c.failureScore - 1}.`);
  }
  if (c.groupingMode === 'fill' && !c.fillStrategy) {
    throw new ConfigError(`groupingMode "fill" needs fillStrategy: "randint" (pad with random own calls) or "max" (repeat the last call).`);
  }
  if (c.selectKDiverse === 1 || c.selectKDiverse > c.rolloutsPerExample) {
    throw new ConfigError(`selectKDiverse must be 0 (keep all) or between 2 and rolloutsPerExample (${c.rolloutsPerExample}); got ${c.selectKDiverse}.`);
  }
  validateBackend(c.backend, options.needsTrainer ?? true);
}

function validateBackend(b: BackendSettings, needsTrainer: boolean): void {
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
