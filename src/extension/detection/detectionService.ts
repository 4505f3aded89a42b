import * as vscode from 'vscode';
import { createGitignoreMatcher, shouldIndex, WorkspaceIndex, type ExcludeGlobs, type GitignoreMatcher } from '../../engine/discovery';
import { log, logFsError } from '../log';
import { importsSdk, isSourcePath, scanExcludeGlob, SOURCE_GLOB } from './scanGlobs';

const DEBOUNCE_MS = 300;
const SCAN_BATCH = 40;
const MAX_FILES = 20000;

/**
 * Keeps a WorkspaceIndex in step with the workspace: one scan, then one file
 * at a time (editor changes debounced, disk changes via a watcher). Providers
 * read the index only; all file reading happens here.
 *
 * The scan waits for a sign that the workspace uses MMGRPO (an open document
 * importing the SDK, recorded runs, or a command that needs the task list):
 * the extension activates in every JS/TS workspace, and most never need the
 * up-to-20,000-file listing and reads. Until then open documents are indexed
 * on their own, which is all their lenses need.
 */
export class DetectionService implements vscode.Disposable {
  readonly index = new WorkspaceIndex();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly gitignores = new Map<string, GitignoreMatcher>();
  private readonly versions = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private firstScan: Promise<void> | undefined;

  start(): void {
    const watcher = vscode.workspace.createFileSystemWatcher(SOURCE_GLOB);
    const ignoreWatcher = vscode.workspace.createFileSystemWatcher('**/.gitignore');
    this.disposables.push(
      watcher,
      ignoreWatcher,
      watcher.onDidCreate((u) => this.fromDisk(u)),
      watcher.onDidChange((u) => this.fromDisk(u)),
      watcher.onDidDelete((u) => this.removeFile(u)),
      ignoreWatcher.onDidChange(() => void this.rescan()),
      ignoreWatcher.onDidCreate(() => void this.rescan()),
      ignoreWatcher.onDidDelete(() => void this.rescan()),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      // A dirty document closed without saving: the disk text is the truth again.
      vscode.workspace.onDidCloseTextDocument((d) => this.fromDisk(d.uri)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('files.exclude')) void this.rescan();
      }),
      vscode.workspace.onDidOpenTextDocument((d) => this.scanIfCandidate(d)),
    );
    vscode.workspace.textDocuments.forEach((d) => this.scanIfCandidate(d));
  }

  /** True once the workspace scan was asked for (it runs at most once, then follows changes). */
  get scanning(): boolean {
    return this.firstScan !== undefined;
  }

  /** Starts the workspace scan if it has not started; settles when the first scan has finished. */
  ready(): Promise<void> {
    if (!this.firstScan) {
      log.trace('Scanning the workspace for MMGRPO programs and tasks.');
      this.firstScan = this.rescan(true);
    }
    return this.firstScan;
  }

  private scanIfCandidate(doc: vscode.TextDocument): void {
    if (!this.firstScan && this.accepts(doc.uri) && importsSdk(doc.getText())) void this.ready();
  }

  /** Brings an open document's detection up to date now (cheap: one parse, text in memory). */
  ensureFresh(doc: vscode.TextDocument): void {
    const key = doc.uri.fsPath;
    if (this.versions.get(key) === doc.version || !this.accepts(doc.uri)) return;
    this.cancelTimer(key);
    // Other listeners would have heard of it when the debounce fired; tell them now instead.
    if (this.apply(key, doc.getText(), doc.version)) setImmediate(() => this.changed.fire());
  }

  private async rescan(first = false): Promise<void> {
    // Watchers fire before anyone asked for a scan: nothing to redo yet.
    if (!first && !this.firstScan) return;
    await this.loadGitignores();
    const folders = vscode.workspace.workspaceFolders ?? [];
    const seen = new Set<string>();
    for (const folder of folders) {
      const exclude = scanExcludeGlob(this.filesExclude(folder.uri));
      const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, SOURCE_GLOB), exclude, MAX_FILES);
      if (uris.length >= MAX_FILES) log.warn(`${folder.uri.fsPath} has more than ${MAX_FILES} source files: detection looked at the first ${MAX_FILES} only (open a file to index it, or exclude folders with files.exclude).`);
      const wanted = uris.filter((u) => this.accepts(u));
      for (let i = 0; i < wanted.length; i += SCAN_BATCH) {
        await Promise.all(wanted.slice(i, i + SCAN_BATCH).map((u) => this.readAndApply(u, false)));
        wanted.slice(i, i + SCAN_BATCH).forEach((u) => seen.add(u.fsPath));
        // Let the host breathe between batches: parsing is synchronous.
        await new Promise((r) => setImmediate(r));
      }
    }
    for (const p of this.index.paths()) if (!seen.has(p)) this.index.remove(p);
    this.changed.fire();
  }

  private async loadGitignores(): Promise<void> {
    this.gitignores.clear();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      try {
        const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.gitignore'));
        this.gitignores.set(folder.uri.fsPath, createGitignoreMatcher(Buffer.from(bytes).toString('utf8')));
      } catch (err) {
        // No .gitignore at the root: nothing ignored.
        logFsError(`Reading ${folder.uri.fsPath}/.gitignore`, err);
      }
    }
  }

  private filesExclude(scope: vscode.Uri): ExcludeGlobs {
    return vscode.workspace.getConfiguration('files', scope).get<Record<string, boolean>>('exclude') ?? {};
  }

  private accepts(uri: vscode.Uri): boolean {
    if (uri.scheme !== 'file' || !isSourcePath(uri.fsPath)) return false;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return false;
    const rel = vscode.workspace.asRelativePath(uri, false);
    return shouldIndex(rel, this.filesExclude(folder.uri), this.gitignores.get(folder.uri.fsPath));
  }

  private openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  }

  private fromDisk(uri: vscode.Uri): void {
    const doc = this.openDocument(uri);
    if (doc?.isDirty) return; // the editor's text wins while it has unsaved changes
    // Before the scan only open documents are indexed (a checkout can touch thousands of files).
    if (!this.firstScan && !doc) return;
    if (!this.accepts(uri)) return;
    void this.readAndApply(uri, true);
  }

  private async readAndApply(uri: vscode.Uri, fire: boolean): Promise<void> {
    const doc = this.openDocument(uri);
    let text: string;
    try {
      text = doc ? doc.getText() : Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    } catch (err) {
      logFsError(`Reading ${uri.fsPath} for detection`, err); // typically deleted between listing and reading
      return;
    }
    const changed = this.apply(uri.fsPath, text, doc?.version ?? -1);
    if (fire && changed) this.changed.fire();
  }

  private apply(file: string, text: string, version: number): boolean {
    this.versions.set(file, version);
    return this.index.update(file, text).changed;
  }

  private removeFile(uri: vscode.Uri): void {
    this.versions.delete(uri.fsPath);
    if (this.index.remove(uri.fsPath)) this.changed.fire();
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!this.accepts(doc.uri)) return;
    const key = doc.uri.fsPath;
    this.cancelTimer(key);
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      if (this.apply(key, doc.getText(), doc.version)) this.changed.fire();
    }, DEBOUNCE_MS));
  }

  private cancelTimer(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}
