import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MANIFEST_FILE, runsRoot, scrubText } from '../../engine/runs';
import { eventNarrator } from '../../engine/runs/eventText';
import type { RunEvent, RunManifest } from '../../protocol/events';
import { errorText, log } from '../log';
import { type CliExit, type CliRun, startCli } from './cliProcess';
import { progressPlan, reduceProgress, withPlan, type RunProgress } from './runProgress';

const TAIL_LINES = 400;

export interface ActiveRun {
  key: number;
  label: string;
  progress: RunProgress;
  cli: CliRun;
}

export interface StartRequest {
  label: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Secrets to scrub from echoed text. */
  secrets: string[];
  /** Human-readable output (the task's terminal). */
  write(line: string): void;
}

/**
 * Every CLI run the extension started: progress notifications, one status bar
 * item for all of them, cancellation by SIGINT (the run stays resumable).
 */
export class RunManager implements vscode.Disposable {
  private readonly active = new Map<number, ActiveRun>();
  private next = 1;
  private readonly status = vscode.window.createStatusBarItem('mmgrpo.runs', vscode.StatusBarAlignment.Left, 9);
  private readonly onEventEmitter = new vscode.EventEmitter<RunEvent>();
  /** The last lines every run printed (what its terminal showed), newest last. */
  private readonly tail: string[] = [];
  /** Every event of every run (the runs view reloads on run starts and finishes). */
  readonly onEvent = this.onEventEmitter.event;

  constructor(private readonly extensionPath: string) {
    this.status.name = 'MMGRPO runs';
    this.status.command = 'mmgrpo.runs.focus';
  }

  start(request: StartRequest): ActiveRun {
    const key = this.next++;
    const write = (line: string) => {
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
      request.write(line);
    };
    const req = { ...request, write };
    // The CLI's own words for each event (and the errors under a score line), per run.
    const narrate = eventNarrator();
    const cli = startCli(
      { node: process.execPath, script: path.join(this.extensionPath, 'dist', 'cli.js'), args: req.args, cwd: req.cwd, env: { ...req.env, ELECTRON_RUN_AS_NODE: '1' } },
      {
        onEvent: (e) => this.onRunEvent(key, e, req, narrate),
        onText: (line) => write(scrubText(line, req.secrets)),
      },
    );
    const run: ActiveRun = { key, label: req.label, progress: { message: 'starting…' }, cli };
    this.active.set(key, run);
    this.showProgress(run);
    this.render();
    void cli.exited.then((exit) => this.onExit(key, exit, req));
    return run;
  }

  private onRunEvent(key: number, e: RunEvent, req: StartRequest, narrate: (e: RunEvent) => string[]): void {
    const run = this.active.get(key);
    if (run) run.progress = reduceProgress(run.progress, e);
    if (run && e.type === 'run_started') void this.loadPlan(run, req.cwd, e.runId);
    for (const line of narrate(e)) req.write(scrubText(line, req.secrets));
    this.onEventEmitter.fire(e);
    this.render();
  }

  /** The run's stages and steps from its run.json, so the bar can span the whole run. */
  private async loadPlan(run: ActiveRun, cwd: string, runId: string): Promise<void> {
    const file = path.join(runsRoot(cwd), runId, MANIFEST_FILE);
    try {
      const manifest = JSON.parse(await readFile(file, 'utf8')) as RunManifest;
      run.progress = withPlan(run.progress, progressPlan(manifest));
    } catch (err) {
      // A run stored elsewhere (--runs-dir): the notification shows messages without a bar.
      log.warn(`No progress plan for run ${runId} (${file}: ${errorText(err)}).`);
    }
  }

  private onExit(key: number, exit: CliExit, req: StartRequest): void {
    const run = this.active.get(key);
    this.active.delete(key);
    this.render();
    if (exit.error) req.write(exit.error);
    else if (!run?.progress.finished) req.write(`mmgrpo exited with ${exit.signal ?? `code ${exit.code}`}.`);
    if (run?.progress.finished === 'cancelled' && run.progress.runId) req.write(`Resume with the Runs view, or: mmgrpo ${req.args[0]} --resume ${run.progress.runId}`);
  }

  private showProgress(run: ActiveRun): void {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MMGRPO: ${run.label}`, cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => run.cli.cancel());
      let reported = 0;
      const timer = setInterval(() => {
        const f = run.progress.fraction ?? 0;
        // withProgress increments are relative; send the difference, never going back.
        const inc = Math.max(0, Math.round(f * 100) - reported);
        reported += inc;
        progress.report({ message: run.progress.message, increment: inc });
      }, 500);
      return run.cli.exited.finally(() => clearInterval(timer));
    });
  }

  /** Cancels the run with this id if we started it; false otherwise. */
  cancelByRunId(runId: string): boolean {
    const run = [...this.active.values()].find((r) => r.progress.runId === runId);
    run?.cli.cancel();
    return Boolean(run);
  }

  /** What the runs' terminals showed lately (scrubbed of secrets). */
  recentOutput(): readonly string[] {
    return this.tail;
  }

  /** Runs in progress with what their progress notification says. */
  activeRuns(): { label: string; runId?: string; message: string }[] {
    return [...this.active.values()].map((r) => ({ label: r.label, runId: r.progress.runId, message: r.progress.message }));
  }

  runningIds(): string[] {
    return [...this.active.values()].map((r) => r.progress.runId).filter((x): x is string => Boolean(x));
  }

  private render(): void {
    const runs = [...this.active.values()];
    if (runs.length === 0) {
      this.status.hide();
      return;
    }
    const one = runs.length === 1 ? ` · ${runs[0].progress.message}` : '';
    this.status.text = `$(sync~spin) MMGRPO: ${runs.length} run${runs.length === 1 ? '' : 's'}${one}`;
    this.status.tooltip = runs.map((r) => `${r.label}: ${r.progress.message}`).join('\n');
    this.status.show();
  }

  dispose(): void {
    // Leave runs resumable when the window closes.
    for (const r of this.active.values()) r.cli.cancel();
    this.status.dispose();
    this.onEventEmitter.dispose();
  }
}
