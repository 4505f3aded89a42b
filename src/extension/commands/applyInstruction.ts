import * as vscode from 'vscode';
import { instructionTextEdit } from '../../engine/discovery';
import type { ApplyInstructionArgs } from '../lenses/computeLenses';
import { toVsRange } from '../lenses/codeLensProvider';
import type { Services } from '../services';
import { samePath } from '../runs/runFacts';

function isArgs(x: unknown): x is ApplyInstructionArgs {
  const a = x as Record<string, unknown> | null;
  return !!a && ['file', 'program', 'programFile', 'predictor', 'instructions'].every((k) => typeof a[k] === 'string');
}

/**
 * Writes a run's optimized instructions into the source as one undoable
 * WorkspaceEdit. The predictor is found again in the document's current text,
 * so edits made since the lens was drawn cannot shift the replaced range.
 */
export const applyInstruction = (s: Services) => async (arg?: unknown) => {
  if (!isArgs(arg)) return;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(arg.file));
  s.detection.ensureFresh(doc);
  const state = s.detection.index.file(arg.file);
  if (state?.stale) return void vscode.window.showWarningMessage('Fix the syntax errors in this file first; the instruction cannot be placed safely.');
  const pred = s.detection.index.predictorsOf(arg.program, arg.programFile)?.find((p) => p.name === arg.predictor && samePath(p.file, doc.uri.fsPath));
  if (!pred?.instructionEdit) return void vscode.window.showWarningMessage(`Predictor ${arg.predictor} of ${arg.program} can no longer be edited automatically (its instructions are not a plain string here).`);
  const edit = instructionTextEdit(pred.instructionEdit, arg.instructions);
  const we = new vscode.WorkspaceEdit();
  we.replace(doc.uri, toVsRange(edit.range), edit.newText, { label: `Apply optimized instruction (${arg.predictor})`, needsConfirmation: false });
  if (!(await vscode.workspace.applyEdit(we))) void vscode.window.showErrorMessage('VS Code refused the edit (the file may be read-only).');
};
