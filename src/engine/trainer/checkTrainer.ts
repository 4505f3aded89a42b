import { GRPO_LOSS_TYPES, type GRPOInitializeRequest, type GRPOStatus, type TrainerCapabilities } from '../../protocol/trainer';
import { ArborTrainerClient, type TrainerClientOptions } from './client';
import { ARBOR_TRAINER_CONFIG_KEYS } from './capabilities';
import { TrainerError } from './errors';

export interface TrainerCheck {
  baseUrl: string;
  capabilities: TrainerCapabilities;
  /** Things that will not stop a run but change what it does. */
  warnings: string[];
  /** The server's answer to a dry-run initialize, when it supports one. */
  dryRun?: GRPOStatus;
}

const EXTENSION_KEYS = ['epsilon', 'epsilon_high', 'num_iterations'];

function fail(message: string, param: string): never {
  throw new TrainerError('config', `${message} Fix the trainer settings of this run.`, undefined, param);
}

function num(config: Record<string, unknown>, key: string): number | undefined {
  const v = config[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`trainer_config.${key} must be a number, got ${JSON.stringify(v)}.`, `trainer_config.${key}`);
  return v;
}

/** Catches what any trainer would reject, before rollouts are spent. */
export function validateInitializeRequest(req: GRPOInitializeRequest): void {
  if (!req.model) fail('`model` is empty.', 'model');
  const config = req.trainer_config as unknown as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (!ARBOR_TRAINER_CONFIG_KEYS.includes(key) && !EXTENSION_KEYS.includes(key)) {
      fail(`Unknown trainer_config key \`${key}\`.`, `trainer_config.${key}`);
    }
  }
  const g = num(config, 'num_generations');
  if (g === undefined || !Number.isInteger(g) || g < 2) fail('trainer_config.num_generations must be an integer >= 2 (rollouts per group).', 'trainer_config.num_generations');
  const lr = num(config, 'learning_rate');
  if (lr !== undefined && lr <= 0) fail('trainer_config.learning_rate must be > 0.', 'trainer_config.learning_rate');
  const t = num(config, 'temperature');
  if (t !== undefined && t <= 0) fail('trainer_config.temperature must be > 0 (GRPO needs sampling).', 'trainer_config.temperature');
  const beta = num(config, 'beta');
  if (beta !== undefined && beta < 0) fail('trainer_config.beta must be >= 0.', 'trainer_config.beta');
  const loss = config.loss_type;
  if (loss !== undefined && loss !== null && !(GRPO_LOSS_TYPES as readonly string[]).includes(loss as string)) {
    fail(`trainer_config.loss_type must be one of ${GRPO_LOSS_TYPES.join(', ')}.`, 'trainer_config.loss_type');
  }
  if (!req.inference_config?.model) fail('inference_config.model is empty.', 'inference_config.model');
}

function capabilityWarnings(req: GRPOInitializeRequest | undefined, caps: TrainerCapabilities): string[] {
  const out: string[] = [];
  if (!caps.advantage) out.push('The trainer computes advantages itself (no `advantage` support): group normalization happens server-side.');
  if (!caps.logprobs) out.push('The trainer does not take sampling logprobs: clipping uses its own old-policy logprobs.');
  const cfg = (req?.trainer_config ?? {}) as unknown as Record<string, unknown>;
  for (const key of EXTENSION_KEYS) {
    if (cfg[key] !== undefined && !(caps.trainer_config_extensions ?? []).includes(key)) {
      out.push(`The trainer does not take trainer_config.${key}; it will use its own default.`);
    }
  }
  return out;
}

/**
 * Run before the first rollout: proves the trainer answers (and accepts the
 * token), learns its capabilities, checks the config locally and, where the
 * trainer supports it, with a dry-run initialize. Throws a TrainerError.
 */
export async function checkTrainer(
  target: ArborTrainerClient | TrainerClientOptions,
  initialize?: GRPOInitializeRequest,
): Promise<TrainerCheck> {
  const client = target instanceof ArborTrainerClient ? target : new ArborTrainerClient(target);
  if (initialize) validateInitializeRequest(initialize);
  const capabilities = await client.capabilities();
  // The models list needs auth on our server, so a wrong token fails here rather than mid-run.
  const models = await client.models();
  const warnings = capabilityWarnings(initialize, capabilities);
  if (initialize && models.length > 0 && !models.some((m) => initialize.model.endsWith(m))) {
    warnings.push(`The trainer lists no model named ${initialize.model} (it serves: ${models.join(', ')}).`);
  }
  const check: TrainerCheck = { baseUrl: client.baseUrl, capabilities, warnings };
  if (initialize && capabilities.dry_run) check.dryRun = await client.initialize({ ...initialize, dry_run: true });
  return check;
}
