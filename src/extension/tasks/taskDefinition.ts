import { normalizeStrategy, strategyList } from '../../engine/optimize/compose/strategyNames';
import { backendTrains } from '../../engine/optimize/mmgrpo/config';
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
  /** train: the one-click Train (the mmgrpo.trainStrategy setting, "prompts → weights" by default); optimize: prompts only; eval. */
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
  /** The run whose best program Evaluate evaluates (see evalTarget), if any. */
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
  'Evaluate needs a model. On the embedded backend it evaluates the task\'s latest trained program: use its "Train" lens first. To evaluate against an OpenAI-compatible server instead, set mmgrpo.inferenceUrl and mmgrpo.model.';

export const LOCAL_CANNOT_TRAIN =
  'The local backend runs inference only, so weights cannot train on it: set mmgrpo.backend to embedded or remote to train, or use "Optimize prompts" or "Evaluate" here.';

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
  if (def.command === 'eval') args.push(...evalTargetArgs(settings, ctx.evalRunId));
  else args.push('--strategy', strategyOf(def, settings), ...backendArgs(settings));
  return [...args, ...extraArgs(def, settings)];
}

const opt = (flag: string, value: string | undefined): string[] => (value ? [flag, value] : []);

/** `mmgrpo optimize`'s flags for where the program runs and weights train. */
function backendArgs(s: MmgrpoSettings): string[] {
  if (s.backend === 'remote') return ['--backend', 'remote', ...opt('--inference-url', s.inferenceUrl), ...opt('--trainer-url', s.trainerUrl), ...opt('--model', s.model)];
  if (s.backend === 'local') return ['--backend', 'local', ...opt('--model', s.localModel)];
  return ['--backend', 'embedded'];
}

/** `mmgrpo eval`'s own flags: it starts the local model itself, else talks to a server or serves a trained run's weights. */
function evalTargetArgs(s: MmgrpoSettings, runId: string | undefined): string[] {
  if (s.backend === 'local') return ['--backend', 'local', ...opt('--model', s.localModel), ...opt('--run', runId)];
  return [...opt('--base-url', s.inferenceUrl), ...opt('--model', s.model), ...(evalsTrainedRun(s) ? opt('--run', runId) : [])];
}

/** The strategy a train or optimize run gets: the definition's, else the one-click Train's setting, else prompts only. */
function strategyOf(def: MmgrpoTaskDefinition, settings: MmgrpoSettings): string {
  return def.strategy ?? (def.command === 'train' ? settings.trainStrategy : 'p');
}

/** The mmgrpo.taskOverrides flags of the task, then the definition's own. */
function extraArgs(def: MmgrpoTaskDefinition, settings: MmgrpoSettings): string[] {
  const override = settings.taskOverrides[normalizeTaskPath(def.task)];
  return [...((def.command === 'eval' ? override?.evalArgs : override?.args) ?? []), ...(def.args ?? [])];
}

/**
 * Why the CLI would refuse this run on the settings' backend, or undefined:
 * the local model cannot train, so a w stage, a warm start or --init-from is
 * refused there. Checked before a run starts, so no run is begun to fail.
 */
export function backendRefusal(def: MmgrpoTaskDefinition, settings: MmgrpoSettings): string | undefined {
  if (def.resume || def.command === 'eval' || backendTrains(settings.backend)) return undefined;
  return strategyOf(def, settings).includes('w') || trainsByFlags(extraArgs(def, settings)) ? LOCAL_CANNOT_TRAIN : undefined;
}

/** Flags that train weights whatever the strategy: --init-from, or a warm start of more than 0 epochs. */
function trainsByFlags(args: readonly string[]): boolean {
  return args.some((a, i) => {
    const [flag, inline] = a.split('=', 2) as [string, string | undefined];
    if (flag === '--init-from') return true;
    return flag === '--warm-start-epochs' && Number(inline ?? args[i + 1]) > 0;
  });
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
