import * as vscode from 'vscode';
import { errorText, log } from '../log';
import type { RunModel } from '../runs/runModel';
import type { Services } from '../services';
import { runDirArg } from './args';
import { promptOf, promptText } from './promptText';

export const PROMPT_SCHEME = 'mmgrpo-prompt';

interface PromptRef {
  runDir: string;
  module: string;
  version: string;
}

function uriOf(ref: PromptRef): vscode.Uri {
  const safe = ref.module.replace(/[^\w.-]+/g, '_');
  return vscode.Uri.from({ scheme: PROMPT_SCHEME, path: `/${safe}.${ref.version}.md`, query: JSON.stringify(ref) });
}

/** Read-only documents for the diff editor, served from runs already in memory. */
export class PromptDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly runs: RunModel) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    let ref: PromptRef;
    try {
      ref = JSON.parse(uri.query) as PromptRef;
    } catch (err) {
      log.warn(`Malformed prompt reference ${uri.toString()}: ${errorText(err)}`);
      return 'Malformed prompt reference.\n';
    }
    const run = this.runs.get(ref.runDir);
    if (!run) return `Run ${ref.runDir} is not in the run store any more.\n`;
    return promptText(promptOf(run, ref.module, ref.version), `(no ${ref.version} prompt recorded for ${ref.module})`);
  }
}

export const promptDiff = (s: Services) => async (arg?: unknown) => {
  const runDir = runDirArg(arg);
  const a = (arg ?? {}) as { module?: unknown; from?: unknown; to?: unknown };
  if (!runDir || typeof a.module !== 'string') return;
  const from = typeof a.from === 'string' ? a.from : 'before';
  const to = typeof a.to === 'string' ? a.to : 'after';
  const run = s.runs.get(runDir);
  const title = `${a.module}: prompt ${from} ↔ ${to}${run ? ` (${run.id})` : ''}`;
  await vscode.commands.executeCommand('vscode.diff', uriOf({ runDir, module: a.module, version: from }), uriOf({ runDir, module: a.module, version: to }), title);
};
