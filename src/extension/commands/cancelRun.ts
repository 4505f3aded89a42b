import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LOCK_FILE } from '../../engine/runs';
import type { Services } from '../services';
import { logFsError } from '../log';
import { runDirArg } from './args';

/** SIGINT to the run's process: ours directly, or the lock holder for a run started elsewhere. */
export const cancelRun = (s: Services) => async (arg?: unknown) => {
  const dir = runDirArg(arg);
  const run = dir ? s.runs.get(dir) : undefined;
  if (!run || run.status !== 'running') return void vscode.window.showInformationMessage('That run is not running.');
  if (s.runManager.cancelByRunId(run.id)) return;
  const lock = join(run.dir, LOCK_FILE);
  const pid = Number(await readFile(lock, 'utf8').catch((err: unknown) => void logFsError(`Reading ${lock}`, err)));
  if (!Number.isInteger(pid) || pid <= 0) return void vscode.window.showWarningMessage(`Run ${run.id} has no live process to cancel.`);
  const ok = await vscode.window.showWarningMessage(`Run ${run.id} was started outside this window (process ${pid}). Cancel it? It stays resumable.`, { modal: true }, 'Cancel run');
  if (ok) {
    try {
      process.kill(pid, 'SIGINT');
    } catch (err) {
      void vscode.window.showErrorMessage(`Could not cancel process ${pid}: ${(err as Error).message}`);
    }
  }
};
