import * as vscode from 'vscode';
import type { Services } from '../services';
import { runDirArg } from './args';
import { pickRun } from './pickRun';
import { runTaskCommand } from './runTask';

export const resumeRun = (s: Services) => async (arg?: unknown) => {
  const dir = runDirArg(arg) ?? (await pickRun(s, 'Resume which run?'));
  const run = dir ? s.runs.get(dir) : undefined;
  if (!run) return;
  const kind = run.manifest.kind;
  if (kind !== 'train' && kind !== 'optimize') return void vscode.window.showWarningMessage(`Run ${run.id} is an ${kind} run; only training and optimization runs can be resumed.`);
  if (run.status === 'completed' || run.status === 'running') return void vscode.window.showWarningMessage(`Run ${run.id} is ${run.status}; only interrupted or cancelled runs can be resumed.`);
  // The task command of a run's kind is the CLI command that continues it.
  await runTaskCommand(s, kind, { taskFile: run.manifest.taskFile, taskName: run.manifest.taskName }, run.id);
};
