import * as vscode from 'vscode';
import type { Services } from '../services';
import { RUNS_VIEW_ID } from '../tree/runsTreeProvider';
import { taskNodes } from '../tree/buildTree';
import { taskArg } from './args';

/** Focuses the Runs view, and the task's node when a task is given. */
export const showRuns = (s: Services, view: vscode.TreeView<unknown>) => async (arg?: unknown) => {
  await vscode.commands.executeCommand(`${RUNS_VIEW_ID}.focus`);
  const t = taskArg(arg);
  const node = t && taskNodes(s.runs.all()).find((n) => n.kind === 'task' && n.taskFile === t.taskFile);
  if (node) await view.reveal(node, { select: true, focus: true, expand: true });
  else if (t) void vscode.window.showInformationMessage(`No runs yet for ${t.taskName ?? vscode.workspace.asRelativePath(t.taskFile)}.`);
};
