import { rm } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { Services } from '../services';
import { runDirArg } from './args';

export const deleteRun = (s: Services) => async (arg?: unknown) => {
  const dir = runDirArg(arg);
  const run = dir ? s.runs.get(dir) : undefined;
  if (!run) return;
  if (run.status === 'running') return void vscode.window.showWarningMessage(`Run ${run.id} is running; cancel it before deleting it.`);
  const ok = await vscode.window.showWarningMessage(`Delete run ${run.id} and all its files (events, checkpoints)? This cannot be undone.`, { modal: true }, 'Delete');
  if (!ok) return;
  try {
    await rm(run.dir, { recursive: true, force: true });
  } catch (err) {
    void vscode.window.showErrorMessage(`Could not delete ${run.dir}: ${(err as Error).message}`);
  }
  await s.runs.reload();
};
