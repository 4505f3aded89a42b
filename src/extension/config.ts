// The extension's settings as one typed object. Kept free of `vscode` so the
// CLI argument building that depends on it can be unit-tested in Node.

import { normalizeStrategy, strategyList } from '../engine/optimize/compose/strategyNames';
// A light import: the engine's config module imports only types, so the bundle gets the list, not the trainer.
import { BACKEND_KINDS, type BackendKind } from '../engine/optimize/mmgrpo/config';

export type Backend = BackendKind;

export interface MmgrpoSettings {
  /** Where runs run: the embedded CPU model, a real pretrained model on the CPU (local, inference only) or remote servers. */
  backend: Backend;
  /** OpenAI-compatible inference server (remote backend and evaluation); '' = CLI default. */
  inferenceUrl: string;
  /** Arbor-compatible trainer server (remote backend); '' = CLI default. */
  trainerUrl: string;
  /** Model to use or train (remote backend); '' = the task's own model. */
  model: string;
  /**
   * The local backend's model: a pulled model's name or a .gguf path; '' = the
   * CLI's default. Its own setting, not `model`: switching between remote and
   * local then needs no other change.
   */
  localModel: string;
  /** Strategy of the one-click "Train" (the paper's best: prompts, then weights). */
  trainStrategy: string;
  /** Extra CLI flags per task file (path relative to the workspace folder, `/` separators). */
  taskOverrides: Record<string, TaskOverride>;
  /** Problems found while reading the settings, each saying what to change. */
  problems: string[];
}

export interface TaskOverride {
  /** Appended to the Train and Optimize runs' `mmgrpo optimize <task>` (e.g. ["--steps", "4", "--config", "small.json"]). */
  args: string[];
  /** Appended to Evaluate's `mmgrpo eval <task>` (its flags differ: e.g. ["--limit", "50"]). */
  evalArgs: string[];
}

export const SETTINGS_SECTION = 'mmgrpo';
const DEFAULT_TRAIN_STRATEGY = 'p -> w';

/** SecretStorage key of the API key; the key lives nowhere else. */
export const API_KEY_SECRET = 'mmgrpo.apiKey';

/** Flags the extension sets itself: an override may not change how it talks to the CLI. */
const RESERVED_FLAGS = ['--json', '--resume'];

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** Settings from a `get(key)` accessor (VS Code's WorkspaceConfiguration.get in the host). */
export function readSettings(get: (key: string) => unknown): MmgrpoSettings {
  const problems: string[] = [];
  return {
    backend: readBackend(get('backend'), problems),
    inferenceUrl: str(get('inferenceUrl')),
    trainerUrl: str(get('trainerUrl')),
    model: str(get('model')),
    localModel: str(get('localModel')),
    trainStrategy: readTrainStrategy(get('trainStrategy'), problems),
    taskOverrides: readOverrides(get('taskOverrides'), problems),
    problems,
  };
}

/** A backend the CLI knows; anything else is reported and read as the embedded one, the default. */
function readBackend(raw: unknown, problems: string[]): Backend {
  if (raw === undefined || raw === null || raw === '') return 'embedded';
  if ((BACKEND_KINDS as readonly unknown[]).includes(raw)) return raw as Backend;
  problems.push(`Setting mmgrpo.backend must be one of ${BACKEND_KINDS.join(', ')} (got ${JSON.stringify(raw)}); "embedded" is used.`);
  return 'embedded';
}

/** The one-click Train's strategy; a bad one is reported and replaced by the default, as the CLI would refuse it. */
function readTrainStrategy(raw: unknown, problems: string[]): string {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return DEFAULT_TRAIN_STRATEGY;
  const strategy = normalizeStrategy(raw);
  if (strategy) return strategy;
  problems.push(`Setting mmgrpo.trainStrategy must be one of ${strategyList()} (got ${JSON.stringify(raw)}); the default "${DEFAULT_TRAIN_STRATEGY}" is used.`);
  return DEFAULT_TRAIN_STRATEGY;
}

function readOverrides(raw: unknown, problems: string[]): Record<string, TaskOverride> {
  const out: Record<string, TaskOverride> = {};
  if (raw === undefined || raw === null) return out;
  const example = '{"examples/qa/task.ts": {"args": ["--steps", "4"], "evalArgs": ["--limit", "50"]}}';
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`Setting mmgrpo.taskOverrides must be an object like ${example}; it is ignored.`);
    return out;
  }
  for (const [file, value] of Object.entries(raw as Record<string, unknown>)) {
    const v = (value ?? {}) as { args?: unknown; evalArgs?: unknown };
    const problem = (['args', 'evalArgs'] as const).map((k) => (v[k] === undefined ? undefined : argsProblem(v[k], k))).find(Boolean);
    if (problem) problems.push(`Setting mmgrpo.taskOverrides["${file}"]: ${problem} (e.g. ${example}); this entry is ignored.`);
    else out[normalizeTaskPath(file)] = { args: (v.args as string[]) ?? [], evalArgs: (v.evalArgs as string[]) ?? [] };
  }
  return out;
}

/** Why a list of extra CLI flags is unusable, or undefined when it is fine. */
export function argsProblem(args: unknown, key = 'args'): string | undefined {
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return `"${key}" must be a list of strings`;
  const reserved = args.find((a) => RESERVED_FLAGS.includes(a.split('=')[0]!));
  return reserved ? `"${reserved}" is set by the extension itself; remove it from "${key}"` : undefined;
}

export function normalizeTaskPath(p: string): string {
  return p.trim().replace(/\\/g, '/').replace(/^\.\//, '');
}

/**
 * What `mmgrpo models pull` needs for the local backend's model setting: a
 * model name, or undefined for a .gguf file the user already has. An empty
 * setting means the setting's default (the CLI's, as a manifest test checks).
 */
export function modelToPull(setting: string, fallback: string): string | undefined {
  const name = setting.trim() || fallback;
  return /\.gguf$/i.test(name) || name.includes('/') || name.includes('\\') ? undefined : name;
}
