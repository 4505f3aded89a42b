import * as vscode from 'vscode';
import { buildRunView, MAX_ROLLOUTS } from '../../engine/runs/runView';
import type { HostToWebview, RunView } from '../../protocol/webview';
import { isWebviewMessage, type WebviewToHost } from '../../protocol/webview';
import { COMMANDS } from '../commands';
import type { RunModel } from '../runs/runModel';
import { makeNonce, panelHtml } from './panelHtml';

/** Hosts run panels (dist/webview.js): ready handshake, then whole snapshots only. */
export class RunPanels implements vscode.Disposable {
  private readonly open = new Map<string, RunPanel>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly runs: RunModel) {}

  show(runDir: string, step?: number): void {
    const key = runDir;
    const existing = this.open.get(key);
    if (existing) {
      existing.select(step);
      existing.reveal();
      return;
    }
    const panel = new RunPanel(this.extensionUri, this.runs, [runDir], step, () => this.open.delete(key));
    this.open.set(key, panel);
  }

  compare(leftDir: string, rightDir: string): void {
    const key = `${leftDir}\u0000${rightDir}`;
    this.open.get(key)?.reveal();
    if (!this.open.has(key)) this.open.set(key, new RunPanel(this.extensionUri, this.runs, [leftDir, rightDir], undefined, () => this.open.delete(key)));
  }

  dispose(): void {
    for (const p of [...this.open.values()]) p.dispose();
  }
}

class RunPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private ready = false;
  private revision = 0;
  private readonly subs: vscode.Disposable[] = [];

  constructor(extensionUri: vscode.Uri, private readonly runs: RunModel, private readonly dirs: string[], private step: number | undefined, onClose: () => void) {
    const first = runs.get(dirs[0]);
    const title = dirs.length === 2 ? `Compare ${first?.id ?? ''}` : `Run ${first?.id ?? dirs[0]}`;
    this.panel = vscode.window.createWebviewPanel('mmgrpo.run', title, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    });
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
