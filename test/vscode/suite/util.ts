import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MmgrpoApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'mmgrpo.mmgrpo-studio';

export function workspaceDir(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('The e2e suite needs the example workspace open as the first folder.');
  return f.uri.fsPath;
}

export const wsFile = (...parts: string[]): string => path.join(workspaceDir(), ...parts);

export async function api(): Promise<MmgrpoApi> {
  const ext = vscode.extensions.getExtension<MmgrpoApi>(EXTENSION_ID);
  if (!ext) throw new Error(`Extension ${EXTENSION_ID} is not loaded (is extensionDevelopmentPath the repository root?).`);
  return ext.isActive ? ext.exports : ext.activate();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Skips a scenario visibly: the reason goes to the log, and mocha reports it as pending, not passed. */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  console.log(`      skipped "${ctx.test?.title}": ${reason}`);
  ctx.skip();
}

/** Polls until `probe` returns a value that is not undefined/false; the error says what never happened. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

export async function openFile(file: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** The code lenses VS Code itself asks our provider for, resolved, as titles with their commands. */
export async function lensesOf(file: string): Promise<vscode.CodeLens[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(file), 100);
  return (lenses ?? []).filter((l) => l.command);
}

export const titles = (lenses: readonly vscode.CodeLens[]): string[] => lenses.map((l) => l.command!.title);

export async function runCommandOf(lens: vscode.CodeLens): Promise<void> {
  await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []));
}
