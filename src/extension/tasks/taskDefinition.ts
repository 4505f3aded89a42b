import type { MmgrpoSettings } from '../config';

// The `mmgrpo` task type: what tasks.json may contain and how it becomes a CLI
// command line. Pure, so validation is testable without VS Code.

export const TASK_TYPE = 'mmgrpo';
export const TASK_COMMANDS = ['train', 'eval', 'optimize'] as const;
export type TaskCommand = (typeof TASK_COMMANDS)[number];

export interface MmgrpoTaskDefinition {
  type: typeof TASK_TYPE;
  command: TaskCommand;
  /** Task file, absolute or relative to the workspace folder. */
  task: string;
  /** Run id to continue (train only). */
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
  if (d.resume !== undefined) {
    if (typeof d.resume !== 'string' || !RUN_ID.test(d.resume)) return { ok: false, error: `mmgrpo task: "resume" must be a run id such as 20261130-101502-banking77-3fa9 (got ${JSON.stringify(d.resume)}).` };
    if (command !== 'train') return { ok: false, error: `mmgrpo task: only "train" runs can be resumed; remove "resume" or set "command": "train".` };
  }
  const definition: MmgrpoTaskDefinition = { type: TASK_TYPE, command, task: d.task.trim() };
  if (d.resume !== undefined) definition.resume = d.resume as string;
  return { ok: true, definition };
}

/** CLI arguments (after `cli.js`) for a definition; `--json` always, so the host can parse events. */
export function cliArgs(def: MmgrpoTaskDefinition, settings: MmgrpoSettings): string[] {
  if (def.command === 'train' && def.resume) return ['train', '--resume', def.resume, '--json'];
  const args: string[] = [def.command, def.task, '--json'];
  const opt = (flag: string, value: string) => (value ? [flag, value] : []);
  if (def.command === 'train') {
    args.push('--backend', settings.backend);
    if (settings.backend === 'remote') args.push(...opt('--inference-url', settings.inferenceUrl), ...opt('--trainer-url', settings.trainerUrl), ...opt('--model', settings.model));
  } else if (def.command === 'eval') {
    args.push(...opt('--base-url', settings.inferenceUrl), ...opt('--model', settings.model));
  }
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
