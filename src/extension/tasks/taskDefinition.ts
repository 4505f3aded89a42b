import { normalizeStrategy, strategyList } from '../../engine/optimize/compose/strategyNames';
import { argsProblem, normalizeTaskPath, type MmgrpoSettings } from '../config';

// The `mmgrpo` task type: what tasks.json may contain and how it becomes a CLI
// command line. Pure, so validation is testable without VS Code.

export const TASK_TYPE = 'mmgrpo';
export const TASK_COMMANDS = ['train', 'eval', 'optimize'] as const;
export type TaskCommand = (typeof TASK_COMMANDS)[number];

/** The CLI command that continues a run of this kind (`train` runs are MMGRPO-only, `optimize` runs composed). */
export type ResumableKind = 'train' | 'optimize';

export interface MmgrpoTaskDefinition {
  type: typeof TASK_TYPE;
  /** train: the one-click "prompts → MMGRPO" (settings' strategy); optimize: prompts only; eval. */
  command: TaskCommand;
  /** Task file, absolute or relative to the workspace folder. */
  task: string;
  /** Strategy instead of the default (`p`, `w`, `p -> w`, `w -> p`, `p -> w -> p`); train and optimize only. */
  strategy?: string;
  /** Extra CLI flags, after any from the mmgrpo.taskOverrides setting. */
  args?: string[];
  /** Run id to continue (train and optimize). */
  resume?: string;
}

export type ParseResult = { ok: true; definition: MmgrpoTaskDefinition } | { ok: false; error: string };

const RUN_ID = /^[A-Za-z0-9._-]{1,200}$/;

/** Validates a task definition from tasks.json or our own provider; errors say what to change. */
export function parseTaskDefinition(raw: unknown): ParseResult {
  if (raw === null || typeof raw !== 'object') return { ok: false, error: 'An mmgrpo task definition must be an object like {"type":"mmgrpo","command":"train","task":"task.ts"}.' };
  const d = raw as Record<string, unknown>;
  if (d.type !== TASK_TYPE) return { ok: false, error: `Task type must be "${TASK_TYPE}" (got ${JSON.stringify(d.type)}).` };
  if (typeof d.command !== 'string' || !(TASK_COMMANDS as readonly string[]).includes(d.command)) {
    return { ok: false, error: `mmgrpo task: "command" must be one of ${TASK_COMMANDS.join(', ')} (got ${JSON.stringify(d.command)}).` };
  }
  const command = d.command as TaskCommand;
  if (typeof d.task !== 'string' || d.task.trim() === '') return { ok: false, error: 'mmgrpo task: "task" must be the path of a task file, e.g. "examples/banking77/task.ts".' };
  const definition: MmgrpoTaskDefinition = { type: TASK_TYPE, command, task: d.task.trim() };
  const error = optionalFields(d, command, definition);
  return error ? { ok: false, error } : { ok: true, definition };
}

function optionalFields(d: Record<string, unknown>, command: TaskCommand, out: MmgrpoTaskDefinition): string | undefined {
  if (d.resume !== undefined) {
    if (typeof d.resume !== 'string' || !RUN_ID.test(d.resume)) return `mmgrpo task: "resume" must be a run id such as 20261130-101502-qa-3fa9 (got ${JSON.stringify(d.resume)}).`;
    if (command === 'eval') return 'mmgrpo task: evaluation runs cannot be resumed; remove "resume" or use "command": "train" or "optimize".';
    out.resume = d.resume;
  }
  if (d.strategy !== undefined) {
    if (command === 'eval') return 'mmgrpo task: "strategy" applies to train and optimize only; remove it from this eval task.';
    const strategy = normalizeStrategy(d.strategy);
    if (!strategy) return `mmgrpo task: "strategy" must be one of ${strategyList()}: stages of p (prompts) and w (weights) joined by "->" (got ${JSON.stringify(d.strategy)}).`;
    out.strategy = strategy;
  }
  if (d.args !== undefined) {
    const problem = argsProblem(d.args);
    if (problem) return `mmgrpo task: ${problem}.`;
    out.args = d.args as string[];
  }
  return undefined;
}

/** What cliArgs needs to know about the run store. */
export interface CliContext {
  /** Kind of the run being resumed. */
  resumeKind?: ResumableKind;
  /** Newest finished training/optimization run of the task, evaluated on the embedded backend. */
  evalRunId?: string;
}

/**
 * Evaluate on the embedded backend (no inference server set) evaluates the
 * task's latest trained program: the embedded model has no weights worth
 * evaluating before training.
 */
export function evalsTrainedRun(settings: MmgrpoSettings): boolean {
  return settings.backend === 'embedded' && !settings.inferenceUrl;
}

export const EVAL_NEEDS_MODEL =
  'Evaluate needs a model. On the embedded backend it evaluates the task\'s latest trained program: use "Train (prompts → MMGRPO)" first. To evaluate against an OpenAI-compatible server instead, set mmgrpo.inferenceUrl and mmgrpo.model.';

/**
 * CLI arguments (after `cli.js`) for a definition; `--json` always, so the
 * host can parse events. Train and optimize both run `mmgrpo optimize` with a
 * strategy: the one-click train is prompts first, then weights, as the paper's
 * best results.
 */
export function cliArgs(def: MmgrpoTaskDefinition, settings: MmgrpoSettings, ctx: CliContext = {}): string[] {
  // A resume takes its configuration from the run, not from today's settings.
  if (def.resume) return [ctx.resumeKind ?? 'optimize', '--resume', def.resume, '--json'];
  const cli = def.command === 'eval' ? 'eval' : 'optimize';
  const args: string[] = [cli, def.task, '--json'];
  const opt = (flag: string, value: string) => (value ? [flag, value] : []);
  if (def.command === 'eval') {
    args.push(...opt('--base-url', settings.inferenceUrl), ...opt('--model', settings.model));
    if (evalsTrainedRun(settings) && ctx.evalRunId) args.push('--run', ctx.evalRunId);
  } else {
    args.push('--strategy', def.strategy ?? (def.command === 'train' ? settings.trainStrategy : 'p'));
    args.push('--backend', settings.backend);
    if (settings.backend === 'remote') args.push(...opt('--inference-url', settings.inferenceUrl), ...opt('--trainer-url', settings.trainerUrl), ...opt('--model', settings.model));
  }
  const override = settings.taskOverrides[normalizeTaskPath(def.task)];
  args.push(...((def.command === 'eval' ? override?.evalArgs : override?.args) ?? []), ...(def.args ?? []));
  return args;
}

/** Environment of the CLI child: the API key travels only here, never in args or files. */
export function childEnv(base: Record<string, string | undefined>, apiKey: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  if (apiKey) env.MMGRPO_API_KEY = apiKey;
  return env;
}

const VERBS: Record<TaskCommand, string> = { train: 'Train', eval: 'Evaluate', optimize: 'Optimize prompts' };

export function taskLabel(def: MmgrpoTaskDefinition, taskName?: string): string {
  const what = taskName ?? def.task;
  return def.resume ? `Resume ${def.resume}` : `${VERBS[def.command]}: ${what}`;
}
