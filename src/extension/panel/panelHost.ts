import * as vscode from 'vscode';
import { buildRunView, MAX_ROLLOUTS } from '../../engine/runs/runView';
import type { HostToWebview, RunView } from '../../protocol/webview';
import { isWebviewMessage, type WebviewToHost } from '../../protocol/webview';
import { COMMANDS } from '../commands';
import type { RunModel } from '../runs/runModel';
import { makeNonce, panelHtml } from './panelHtml';
import { RUN_PANEL_VIEW_TYPE, runIdsOf } from './panelRestore';

/** Hosts run panels (dist/webview.js): ready handshake, then whole snapshots only. */
export class RunPanels implements vscode.Disposable {
  private readonly open = new Map<string, RunPanel>();
  private readonly serializer: vscode.Disposable;

  constructor(private readonly extensionUri: vscode.Uri, private readonly runs: RunModel) {
    // Panels left open when the editor closed come back with the page's saved state (tab, step, selection, run ids).
    this.serializer = vscode.window.registerWebviewPanelSerializer(RUN_PANEL_VIEW_TYPE, { deserializeWebviewPanel: (panel, state) => this.restore(panel, state) });
  }

  show(runDir: string, step?: number): void {
    const key = runDir;
    const existing = this.open.get(key);
    if (existing) {
      existing.select(step);
      existing.reveal();
      return;
    }
    this.open.set(key, new RunPanel(this.extensionUri, this.runs, [runDir], step, () => this.open.delete(key)));
  }

  compare(leftDir: string, rightDir: string): void {
    const key = panelKey([leftDir, rightDir]);
    this.open.get(key)?.reveal();
    if (!this.open.has(key)) this.open.set(key, new RunPanel(this.extensionUri, this.runs, [leftDir, rightDir], undefined, () => this.open.delete(key)));
  }

  /** Reopens a panel VS Code restored: its runs are found by id once the run list has loaded. */
  private async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const ids = runIdsOf(state);
    if (ids.length === 0) {
      panel.dispose(); // nothing to show: a panel from before run ids were saved
      return;
    }
    if (ids.some((id) => !this.runs.findById(id))) await this.runs.reload();
    const dirs = ids.map((id) => this.runs.findById(id)?.dir ?? id);
    const key = panelKey(dirs);
    this.open.get(key)?.dispose();
    this.open.set(key, new RunPanel(this.extensionUri, this.runs, dirs, undefined, () => this.open.delete(key), panel));
  }

  dispose(): void {
    this.serializer.dispose();
    for (const p of [...this.open.values()]) p.dispose();
  }
}

const panelKey = (dirs: readonly string[]): string => dirs.join('\u0000');

class RunPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private ready = false;
  private revision = 0;
  private readonly subs: vscode.Disposable[] = [];

  constructor(extensionUri: vscode.Uri, private readonly runs: RunModel, private readonly dirs: string[], private step: number | undefined, onClose: () => void, restored?: vscode.WebviewPanel) {
    const first = runs.get(dirs[0]);
    const title = dirs.length === 2 ? `Compare ${first?.id ?? ''}` : `Run ${first?.id ?? dirs[0]}`;
    const options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
    // Beside the code the run came from, not over it.
    this.panel = restored ?? vscode.window.createWebviewPanel(RUN_PANEL_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, options);
    if (restored) {
      restored.title = title;
      restored.webview.options = options;
    }
    const w = this.panel.webview;
    w.html = panelHtml({
      cspSource: w.cspSource,
      nonce: makeNonce(),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css')).toString(),
      title,
    });
    this.subs.push(
      w.onDidReceiveMessage((m: unknown) => {
        if (isWebviewMessage(m)) this.onMessage(m); // anything else is dropped unread
      }),
      runs.onDidChange(() => this.post()),
      this.panel.onDidDispose(() => {
        this.subs.forEach((d) => d.dispose());
        onClose();
      }),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  select(step: number | undefined): void {
    if (step === undefined) return;
    this.step = step;
    this.post();
  }

  private onMessage(m: WebviewToHost): void {
    switch (m.type) {
      case 'ready':
        // A reloaded webview says ready again: it gets a full snapshot each time.
        this.ready = true;
        this.post();
        break;
      case 'selectStep':
        this.select(m.step);
        break;
      case 'openPromptDiff':
        void vscode.commands.executeCommand(COMMANDS.promptDiff, { runDir: this.dirs[0], module: m.module, from: m.fromVersion, to: m.toVersion });
        break;
      case 'openRollout':
        void vscode.commands.executeCommand(COMMANDS.openRollout, { runDir: this.dirs[0], step: m.step, exampleIndex: m.exampleIndex, rolloutIndex: m.rolloutIndex });
        break;
    }
  }

  private view(dir: string): RunView | undefined {
    const run = this.runs.get(dir);
    if (!run) return undefined;
    return { ...buildRunView(run, { step: this.step, maxRollouts: MAX_ROLLOUTS }), revision: ++this.revision };
  }

  private post(): void {
    if (!this.ready) return;
    let msg: HostToWebview;
    const views = this.dirs.map((d) => this.view(d));
    if (views.some((v) => !v)) msg = { type: 'error', message: `Run ${this.dirs.find((_, i) => !views[i])} is no longer in the run store (deleted or moved).` };
    else if (views.length === 2) msg = { type: 'compare', left: views[0]!, right: views[1]! };
    else msg = { type: 'snapshot', view: views[0]! };
    void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    this.panel.dispose();
  }
}
