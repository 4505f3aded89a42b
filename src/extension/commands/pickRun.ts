import * as vscode from 'vscode';
import type { Services } from '../services';

export async function pickRun(s: Services, placeHolder: string, exclude?: string): Promise<string | undefined> {
  const items = s.runs.all().filter((r) => r.dir !== exclude).map((r) => ({ label: r.id, description: `${r.manifest.taskName} · ${r.manifest.kind} · ${r.status}`, dir: r.dir }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage('No runs recorded yet in .mmgrpo/runs.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder }))?.dir;
}
