import * as vscode from 'vscode';
import { buildRunView } from '../../engine/runs/runView';
import type { Services } from '../services';
import { runDirArg, stepArg } from './args';

/** Opens one rollout (inputs, module calls, outputs) as a read-only JSON document. */
export const openRollout = (s: Services) => async (arg?: unknown) => {
  const runDir = runDirArg(arg);
  const step = stepArg(arg);
  const a = (arg ?? {}) as { rollout?: unknown; rolloutIndex?: unknown; exampleIndex?: unknown };
  const rolloutIndex = typeof a.rolloutIndex === 'number' ? a.rolloutIndex : typeof a.rollout === 'number' ? a.rollout : undefined;
  const run = runDir ? s.runs.get(runDir) : undefined;
  if (!run || step === undefined || rolloutIndex === undefined) return;
  const items = buildRunView(run, { step }).rollouts?.items ?? [];
  const hit = items.find((r) => r.rolloutIndex === rolloutIndex && (typeof a.exampleIndex !== 'number' || r.exampleIndex === a.exampleIndex));
  if (!hit) return void vscode.window.showWarningMessage(`Rollout ${rolloutIndex} of step ${step} is not in run ${run.id}.`);
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(hit, null, 2) });
  await vscode.window.showTextDocument(doc, { preview: true });
};
