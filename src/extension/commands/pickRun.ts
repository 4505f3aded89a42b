import * as vscode from 'vscode';
import { ageText, runKindLabel } from '../runs/runFacts';
import type { Services } from '../services';

export async function pickRun(s: Services, placeHolder: string, exclude?: string): Promise<string | undefined> {
  const now = Date.now();
  const items = s.runs.all().filter((r) => r.dir !== exclude).map((r) => ({ label: `${runKindLabel(r.manifest)} · ${r.status}`, description: `${r.manifest.taskName} · ${ageText(r.manifest.createdAt, now)} · ${r.id}`, dir: r.dir }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage('No runs recorded yet in .mmgrpo/runs.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder }))?.dir;
}
