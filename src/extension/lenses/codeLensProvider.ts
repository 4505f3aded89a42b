import * as vscode from 'vscode';
import type { Range } from '../../engine/discovery';
import type { DetectionService } from '../detection/detectionService';
import type { RunModel } from '../runs/runModel';
import { SETTINGS_SECTION } from '../config';
import { currentSettings } from '../services';
import { computeLenses } from './computeLenses';

export const toVsRange = (r: Range): vscode.Range => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

/** Turns computeLenses' data into CodeLenses; reads only the in-memory index and runs. */
export class MmgrpoCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly detection: DetectionService, private readonly runs: RunModel) {
    this.subs = [
      detection.onDidChange(() => this.changed.fire()),
      runs.onDidChange(() => this.changed.fire()),
      // The Train lens names the strategy setting; granting trust makes the run lenses available.
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`${SETTINGS_SECTION}.trainStrategy`) && this.changed.fire()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
      this.changed,
    ];
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    this.detection.ensureFresh(doc);
    const index = this.detection.index;
    const specs = computeLenses({
      file: doc.uri.fsPath,
      state: index.file(doc.uri.fsPath),
      tasks: index.tasks(),
      programs: index.programs(),
      predictorsOf: (name, file) => index.predictorsOf(name, file),
      runs: this.runs.all(),
      trainStrategy: currentSettings(doc.uri).trainStrategy,
      trusted: vscode.workspace.isTrusted,
    });
    return specs.map((s) => new vscode.CodeLens(toVsRange(s.range), { title: s.title, command: s.command, arguments: s.args, tooltip: s.tooltip }));
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
  }
}

/** Says why a file shows no lenses: its current text has syntax errors. */
export class StaleStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mmgrpo.stale', vscode.StatusBarAlignment.Left, 10);
  private readonly subs: vscode.Disposable[];

  constructor(private readonly detection: DetectionService) {
    this.item.name = 'MMGRPO detection';
    this.subs = [detection.onDidChange(() => this.update()), vscode.window.onDidChangeActiveTextEditor(() => this.update()), this.item];
    this.update();
  }

  private update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const state = doc && this.detection.index.file(doc.uri.fsPath);
    if (!state?.stale) {
      this.item.hide();
      return;
    }
    const first = state.diagnostics[0];
    this.item.text = '$(warning) MMGRPO: lenses paused';
    this.item.tooltip = `This file has syntax errors${first ? ` (line ${first.range.start.line + 1}: ${first.message})` : ''}; MMGRPO code lenses come back once it parses.`;
    this.item.show();
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
  }
}
