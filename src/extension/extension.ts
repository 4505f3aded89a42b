import * as vscode from 'vscode';
import { isProcessAlive } from '../engine/runs';
import { registerCommands } from './commands/registerCommands';
import { PROMPT_SCHEME, PromptDocuments } from './commands/promptDiff';
import { DetectionService } from './detection/detectionService';
import { setLogSink } from './log';
import { SOURCE_LANGUAGES } from './detection/scanGlobs';
import { MmgrpoCodeLensProvider, StaleStatus } from './lenses/codeLensProvider';
import { valScoreOf } from './runs/runFacts';
import { RunPanels } from './panel/panelHost';
import { RunModel } from './runs/runModel';
import type { Services } from './services';
import { RunManager } from './tasks/runManager';
import { TASK_TYPE } from './tasks/taskDefinition';
import { MmgrpoTaskProvider } from './tasks/taskProvider';
import { RUNS_VIEW_ID, RunsTreeProvider } from './tree/runsTreeProvider';

const RUNS_DEBOUNCE_MS = 400;
/** The output channel's name (Output view, "MMGRPO Studio"). */
const LOG_CHANNEL = 'MMGRPO Studio';

/**
 * What `activate` returns (vscode.extensions.getExtension(...).exports): a
 * read-only view for the end-to-end suite and other extensions.
 */
export interface MmgrpoApi {
  /** Runs of the workspace as the Runs view shows them, newest first. */
  runs(): readonly { id: string; dir: string; status: string; kind: string; valScore?: number }[];
  reloadRuns(): Promise<void>;
  /** Runs this window started that are still going. */
  activeRuns(): { label: string; runId?: string; message: string }[];
  /** What the runs' terminals showed lately. */
  recentOutput(): readonly string[];
  /** Settles when the first workspace scan has finished. */
  detectionReady(): Promise<void>;
}

/** Activation does no I/O itself: the scan and the run listing start in the background. */
export function activate(context: vscode.ExtensionContext): MmgrpoApi {
  const sub = (...d: vscode.Disposable[]) => context.subscriptions.push(...d);
  // Errors the extension handles (unreadable run files, bad lines) are reported here, not swallowed.
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL, { log: true });
  setLogSink(channel);
  sub(channel, { dispose: () => setLogSink(undefined) });
  const detection = new DetectionService();
  const runs = new RunModel(isProcessAlive, () => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath));
  const runManager = new RunManager(context.extensionPath);
  const tree = new RunsTreeProvider(runs);
  const panels = new RunPanels(context.extensionUri, runs);
  const s: Services = { context, detection, runs, runManager, panels, tree };
  sub(detection, runManager, tree, panels);

  const view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  const lenses = new MmgrpoCodeLensProvider(detection, runs);
  sub(
    view,
    lenses,
    new StaleStatus(detection),
    vscode.languages.registerCodeLensProvider(SOURCE_LANGUAGES.map((language) => ({ language, scheme: 'file' })), lenses),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new MmgrpoTaskProvider(s)),
    vscode.workspace.registerTextDocumentContentProvider(PROMPT_SCHEME, new PromptDocuments(runs)),
  );
  registerCommands(s, view);
  watchRuns(s);
  detection.start();
  // Recorded runs mean the workspace uses MMGRPO: scan it so lenses can show their facts.
  sub(runs.onDidChange(() => runs.all().length > 0 && !detection.scanning && void detection.ready()));
  void runs.reload();
  return {
    runs: () => runs.all().map((r) => ({ id: r.id, dir: r.dir, status: r.status, kind: r.manifest.kind, valScore: valScoreOf(r) })),
    reloadRuns: () => runs.reload(),
    activeRuns: () => runManager.activeRuns(),
    recentOutput: () => runManager.recentOutput(),
    detectionReady: () => detection.ready(),
  };
}

/** Reloads runs when any events file changes (debounced: a training run appends often). */
function watchRuns(s: Services): void {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void s.runs.reload(), RUNS_DEBOUNCE_MS);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/.mmgrpo/runs/**/events.jsonl');
  const folders = vscode.workspace.createFileSystemWatcher('**/.mmgrpo/runs/*');
  s.context.subscriptions.push(
    watcher,
    folders,
    watcher.onDidCreate(schedule),
    watcher.onDidChange(schedule),
    watcher.onDidDelete(schedule),
    folders.onDidDelete(schedule),
    folders.onDidCreate(schedule),
    s.runManager.onEvent((e) => {
      if (e.type === 'run_started' || e.type === 'run_finished') schedule();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(schedule),
    { dispose: () => timer && clearTimeout(timer) },
  );
}

export function deactivate(): void {
  // Everything is a disposable on the context; VS Code disposes them (running CLIs get SIGINT).
}
