import * as vscode from 'vscode';
import { API_KEY_SECRET, readSettings, SETTINGS_SECTION, type MmgrpoSettings } from './config';
import type { DetectionService } from './detection/detectionService';
import type { RunPanels } from './panel/panelHost';
import type { RunModel } from './runs/runModel';
import type { RunManager } from './tasks/runManager';
import type { RunsTreeProvider } from './tree/runsTreeProvider';

/** What commands and providers share; built once in activate. */
export interface Services {
  context: vscode.ExtensionContext;
  detection: DetectionService;
  runs: RunModel;
  runManager: RunManager;
  panels: RunPanels;
  tree: RunsTreeProvider;
}

export function currentSettings(scope?: vscode.Uri): MmgrpoSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  return readSettings((k) => c.get(k));
}

export async function apiKey(context: vscode.ExtensionContext): Promise<string | undefined> {
  return (await context.secrets.get(API_KEY_SECRET)) || undefined;
}

export const UNTRUSTED_MESSAGE = 'MMGRPO runs your task file\'s code, so training and evaluation need a trusted workspace. Detection, lenses and the Runs view keep working. Use "Workspaces: Manage Workspace Trust" to trust this folder.';

/** True when runs may start; otherwise says why (once per call). */
export function ensureTrusted(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
