import * as path from 'node:path';
import * as vscode from 'vscode';
import { currentSettings, ensureTrusted, type Services } from '../services';
import { buildTask } from '../tasks/taskProvider';
import { backendRefusal, TASK_TYPE, type MmgrpoTaskDefinition, type TaskCommand } from '../tasks/taskDefinition';
import { taskArg, type TaskArg } from './args';

/** A task file from the argument, the active editor, or a pick among detected tasks. */
async function pickTask(s: Services, arg: unknown): Promise<TaskArg | undefined> {
  const given = taskArg(arg);
  if (given) return given;
  await s.detection.ready();
  const tasks = s.detection.index.tasks();
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  const here = tasks.find((t) => t.file === active);
  if (here) return { taskFile: here.file, taskName: here.name };
  if (tasks.length === 0) {
    void vscode.window.showInformationMessage('No MMGRPO task found in this workspace: a task is a file that default-exports defineTask({...}) from "mmgrpo".');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    tasks.map((t) => ({ label: t.name ?? path.basename(t.file), description: vscode.workspace.asRelativePath(t.file), t })),
    { placeHolder: 'Which task?' },
  );
  return pick && { taskFile: pick.t.file, taskName: pick.t.name };
}

/** Starts a CLI run as a VS Code task (its own terminal; several may run at once). */
export async function runTaskCommand(s: Services, command: TaskCommand, arg: unknown, resume?: string): Promise<void> {
  if (!ensureTrusted()) return;
  const t = await pickTask(s, arg);
  if (!t) return;
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(t.taskFile));
  if (!folder) {
    void vscode.window.showErrorMessage(`${t.taskFile} is outside the workspace folders; open its folder to run it.`);
    return;
  }
  const rel = path.relative(folder.uri.fsPath, t.taskFile).split(path.sep).join('/');
  const def: MmgrpoTaskDefinition = resume ? { type: TASK_TYPE, command, task: rel, resume } : { type: TASK_TYPE, command, task: rel };
  // Like an untrusted workspace: the lens stays, the click says in one line why nothing starts.
  const refusal = backendRefusal(def, currentSettings(folder.uri));
  if (refusal) {
    void vscode.window.showWarningMessage(refusal);
    return;
  }
  await vscode.tasks.executeTask(buildTask(s, def, folder, t.taskName));
}
