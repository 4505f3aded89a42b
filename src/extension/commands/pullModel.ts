import * as path from 'node:path';
import * as vscode from 'vscode';
import { modelToPull, SETTINGS_SECTION } from '../config';
import { currentSettings, type Services } from '../services';

/** Pulls the local backend's model in a terminal task (downloads once; a pulled model is left as it is). */
export const pullModel = (s: Services) => async () => {
  const fallback = vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<string>('localModel')?.defaultValue ?? '';
  const setting = currentSettings().localModel;
  const name = modelToPull(setting, fallback);
  if (!name) return void vscode.window.showInformationMessage(`The setting mmgrpo.localModel names a model file (${setting}); there is nothing to pull.`);
  const cli = path.join(s.context.extensionPath, 'dist', 'cli.js');
  // The extension host's own Node runs the CLI, as for runs.
  const exec = new vscode.ProcessExecution(process.execPath, [cli, 'models', 'pull', name], { env: { ELECTRON_RUN_AS_NODE: '1' } });
  const task = new vscode.Task({ type: 'mmgrpo-models', model: name }, vscode.TaskScope.Global, `Pull model ${name}`, 'mmgrpo', exec, []);
  await vscode.tasks.executeTask(task);
};
