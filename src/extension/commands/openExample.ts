import { cp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Services } from '../services';

const EXAMPLE_NAME = 'banking77';

/**
 * Opens the bundled Banking77 example: its task file when the workspace
 * already holds it (a copy opened before), else a copy in a folder the user
 * picks, opened as the workspace. A copy, so runs and edits never touch the
 * extension's own files.
 */
export const openExample = (s: Services) => async () => {
  await s.detection.ready();
  const here = s.detection.index.tasks().find((t) => t.name === EXAMPLE_NAME);
  if (here) return void (await vscode.window.showTextDocument(vscode.Uri.file(here.file)));
  const source = path.join(s.context.extensionPath, 'examples', EXAMPLE_NAME);
  if (!existsSync(source)) return void vscode.window.showErrorMessage(`This build of MMGRPO Studio does not ship the example (${source} is missing); open examples/${EXAMPLE_NAME} from the MMGRPO Studio repository instead.`);
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: `Copy the ${EXAMPLE_NAME} example here`, title: 'Where should the example go?' });
  if (!picked?.[0]) return;
  const target = path.join(picked[0].fsPath, EXAMPLE_NAME);
  if (!existsSync(target)) await cp(source, target, { recursive: true });
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target));
};
