import * as vscode from 'vscode';
import type { Services } from '../services';
import { resumeProblem } from '../runs/runFacts';
import { runDirArg } from './args';
import { pickRun } from './pickRun';
import { runTaskCommand } from './runTask';

export const resumeRun = (s: Services) => async (arg?: unknown) => {
  const dir = runDirArg(arg) ?? (await pickRun(s, 'Resume which run?'));
  const run = dir ? s.runs.get(dir) : undefined;
  if (!run) return;
  const problem = resumeProblem(run);
  if (problem) return void vscode.window.showWarningMessage(problem);
  // The task command of a run's kind is the CLI command that continues it.
  await runTaskCommand(s, run.manifest.kind === 'train' ? 'train' : 'optimize', { taskFile: run.manifest.taskFile, taskName: run.manifest.taskName }, run.id);
};
