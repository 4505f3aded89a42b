import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, resolveMMGRPOConfig, type BackendKind, type MMGRPOConfig, type MMGRPOConfigInput, type ResolveOptions } from '../engine/optimize/mmgrpo/config';
import { isProcessAlive, readRun } from '../engine/runs';
import type { RunKind, RunManifest } from '../protocol/events';
import { intOption, numberOption } from './args';
import { UsageError } from './errors';
import { runDirOf } from './runLookup';
import type { EmbeddedFlags } from '../engine/optimize/runConfig';
import type { WarmStartSettings } from '../engine/optimize/mmgrpo/warmStart';

// Flags shared by `mmgrpo train` and `mmgrpo optimize` (every weights-stage setting).

export type Values = Record<string, string | boolean | undefined>;

export const TRAINING_OPTIONS = {
  steps: { type: 'string' }, 'examples-per-step': { type: 'string' }, rollouts: { type: 'string' }, concurrency: { type: 'string' },
  seed: { type: 'string' }, 'val-every': { type: 'string' }, grouping: { type: 'string' }, fill: { type: 'string' }, 'select-k': { type: 'string' }, teachers: { type: 'string' },
  temperature: { type: 'string' }, 'max-tokens': { type: 'string' }, loss: { type: 'string' }, lr: { type: 'string' }, beta: { type: 'string' },
  iterations: { type: 'string' }, 'warm-start-epochs': { type: 'string' }, 'warm-start-lr': { type: 'string' }, backend: { type: 'string' },
  'inference-url': { type: 'string' }, 'trainer-url': { type: 'string' }, model: { type: 'string' }, 'no-guided-choice': { type: 'boolean' },
  'max-lm-calls': { type: 'string' }, 'max-tokens-total': { type: 'string' }, 'max-seconds': { type: 'string' }, config: { type: 'string' },
  resume: { type: 'string' }, 'runs-dir': { type: 'string' }, json: { type: 'boolean' },
  'model-config': { type: 'string' }, 'dry-run': { type: 'boolean' }, 'price-prompt': { type: 'string' }, 'price-completion': { type: 'string' },
  'init-from': { type: 'string' },
  // For tests and experiments: another embedded backend factory.
  'backend-module': { type: 'string' }, 'backend-export': { type: 'string' },
} as const;


/** `options.needsTrainer: false` lets a remote backend go without a trainer (`optimize` without training). */
export function resolveOrUsage(command: string, input: MMGRPOConfigInput, options: ResolveOptions = {}): MMGRPOConfig {
  try {
    return resolveMMGRPOConfig(input, options);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`mmgrpo ${command}: ${err.message}`);
    throw err;
  }
}

/** The --config JSON object (ConfigFileSchema): MMGRPO settings, plus a `prompt` section that only `optimize` reads. */
function readConfigFile(command: string, path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`mmgrpo ${command}: cannot read --config ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`mmgrpo ${command}: --config ${path} must hold a JSON object of settings.`);
  return parsed as Record<string, unknown>;
}

/** The two sections of --config: MMGRPO settings, and the `prompt` section (unvalidated; {} when absent). */
export interface ConfigSections {
  mmgrpo: MMGRPOConfigInput;
  prompt: Record<string, unknown>;
}

/** --config read and parsed once (both sections); a `prompt` section is refused unless the command is `optimize`. */
export function readConfigSections(command: string, path: string | undefined): ConfigSections {
  if (!path) return { mmgrpo: {}, prompt: {} };
  // "$schema" only points editors at the JSON Schema (schemas/mmgrpo-config.schema.json).
  const { prompt, $schema: _schema, ...rest } = readConfigFile(command, path);
  if (prompt !== undefined && command !== 'optimize') {
    throw new UsageError(`mmgrpo ${command}: --config ${path} has a "prompt" section, which only \`mmgrpo optimize\` uses; remove it for ${command}.`);
  }
  if (prompt !== undefined && (typeof prompt !== 'object' || prompt === null || Array.isArray(prompt))) {
    throw new UsageError(`mmgrpo ${command}: the "prompt" section of --config ${path} must be an object, e.g. {"promptModel": "gpt-4o-mini", "promptBaseUrl": "https://api.openai.com/v1"}.`);
  }
  return { mmgrpo: rest as MMGRPOConfigInput, prompt: (prompt ?? {}) as Record<string, unknown> };
}

/**
 * MMGRPO settings from --config and flags (flags win); validated later by
 * resolveOrUsage. `file` is the --config settings when the caller already read them.
 */
export function configInputFromFlags(command: string, v: Values, file: MMGRPOConfigInput = readConfigSections(command, v.config as string | undefined).mmgrpo): MMGRPOConfigInput {
  const int = (flag: string, min = 0) => (v[flag] === undefined ? undefined : intOption(command, flag, v[flag], 0, min));
  const num = (flag: string, min = 0, max = Infinity) => numberOption(command, flag, v[flag], undefined, min, max);
  const str = (flag: string) => v[flag] as string | undefined;
  return {
    ...file,
    steps: int('steps') ?? file.steps,
    examplesPerStep: int('examples-per-step', 1) ?? file.examplesPerStep,
    rolloutsPerExample: int('rollouts') ?? file.rolloutsPerExample,
    concurrency: int('concurrency', 1) ?? file.concurrency,
    seed: int('seed') ?? file.seed,
    valEvery: int('val-every', 1) ?? file.valEvery,
    groupingMode: (str('grouping') as MMGRPOConfig['groupingMode']) ?? file.groupingMode,
    fillStrategy: (str('fill') as MMGRPOConfig['fillStrategy']) ?? file.fillStrategy,
    selectKDiverse: int('select-k') ?? file.selectKDiverse,
    teachers: str('teachers')?.split(',').map((t) => t.trim()).filter(Boolean) ?? file.teachers,
    temperature: num('temperature', 0, 5) ?? file.temperature,
    maxTokens: int('max-tokens', 1) ?? file.maxTokens,
    trainer: { ...file.trainer, lossType: (str('loss') as MMGRPOConfig['trainer']['lossType']) ?? file.trainer?.lossType, learningRate: num('lr') ?? file.trainer?.learningRate, beta: num('beta') ?? file.trainer?.beta, numIterations: int('iterations', 1) ?? file.trainer?.numIterations },
    backend: { ...file.backend, kind: (str('backend') as BackendKind | undefined) ?? file.backend?.kind, inferenceUrl: str('inference-url') ?? file.backend?.inferenceUrl, trainerUrl: str('trainer-url') ?? file.backend?.trainerUrl, model: str('model') ?? file.backend?.model },
    budgets: { ...file.budgets, maxLMCalls: int('max-lm-calls') ?? file.budgets?.maxLMCalls, maxTokens: int('max-tokens-total') ?? file.budgets?.maxTokens, maxSeconds: num('max-seconds') ?? file.budgets?.maxSeconds },
  };
}

export function warmStartFromFlags(command: string, v: Values): WarmStartSettings {
  return { epochs: intOption(command, 'warm-start-epochs', v['warm-start-epochs'], 0), learningRate: numberOption(command, 'warm-start-lr', v['warm-start-lr'], 1e-3, 1e-9, 1)!, batchSize: 16 };
}

export function embeddedFromFlags(command: string, v: Values, seed: number): EmbeddedFlags {
  const out: EmbeddedFlags = { backendOptions: { seed } };
  if (v['model-config']) {
    try {
      out.backendOptions = { seed, config: JSON.parse(v['model-config'] as string) as Record<string, unknown> };
    } catch (err) {
      throw new UsageError(`mmgrpo ${command}: --model-config must be JSON, e.g. '{"dModel":128}': ${(err as Error).message}`);
    }
  }
  if (v['backend-module']) {
    out.backendModule = resolve(v['backend-module'] as string);
    out.backendExport = (v['backend-export'] as string) ?? 'createFakeBackend';
  }
  return out;
}

export function initFromFlag(command: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  const dir = resolve(String(raw));
  if (!existsSync(join(dir, 'config.json'))) throw new UsageError(`mmgrpo ${command}: --init-from ${dir} is not a model checkpoint folder (no config.json).`);
  return dir;
}

/** A run to resume (folder and manifest, read once), refusing runs of another kind, finished ones and live ones. */
export function resumeTarget(runs: string, id: string, kind: RunKind, command: string): { dir: string; manifest: RunManifest } {
  const dir = runDirOf(id, runs);
  const run = readRun(dir, isProcessAlive);
  if (run.manifest.kind !== kind) throw new UsageError(`Run ${id} is ${run.manifest.kind === 'eval' ? 'an' : 'a'} ${run.manifest.kind} run; \`mmgrpo ${command} --resume\` continues ${kind} runs.`);
  if (run.status === 'completed') throw new UsageError(`Run ${id} already completed; start a new run to ${command === 'train' ? 'train' : 'optimize'} further.`);
  if (run.status === 'running') throw new UsageError(`Run ${id} is still running (its process is alive); cancel it before resuming.`);
  return { dir, manifest: run.manifest };
}
