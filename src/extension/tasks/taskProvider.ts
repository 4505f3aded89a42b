import * as path from 'node:path';
import * as vscode from 'vscode';
import { runsOfTasks } from '../runs/runFacts';
import { apiKey, currentSettings, UNTRUSTED_MESSAGE, type Services } from '../services';
import { evalTarget } from './evalTarget';
import { backendRefusal, childEnv, cliArgs, parseTaskDefinition, TASK_COMMANDS, TASK_TYPE, taskLabel, type MmgrpoTaskDefinition, type ResumableKind } from './taskDefinition';
import type { ActiveRun } from './runManager';

/** `mmgrpo` tasks: one per detected task file and command, plus any from tasks.json. */
export class MmgrpoTaskProvider implements vscode.TaskProvider {
  constructor(private readonly s: Services) {}

  async provideTasks(): Promise<vscode.Task[]> {
    // Listing tasks is a reason to scan (a no-op once scanned).
    await this.s.detection.ready();
    const out: vscode.Task[] = [];
    for (const t of this.s.detection.index.tasks()) {
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(t.file));
      if (!folder) continue;
      const rel = path.relative(folder.uri.fsPath, t.file).split(path.sep).join('/');
      for (const command of TASK_COMMANDS) out.push(buildTask(this.s, { type: TASK_TYPE, command, task: rel }, folder, t.name));
    }
    return out;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const parsed = parseTaskDefinition(task.definition);
    if (!parsed.ok) {
      void vscode.window.showErrorMessage(parsed.error);
      return undefined;
    }
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    // The definition object must be the one VS Code gave us, so tasks.json entries match.
    return buildTask(this.s, parsed.definition, folder, undefined, task.definition);
  }
}

export function buildTask(s: Services, def: MmgrpoTaskDefinition, folder: vscode.WorkspaceFolder, taskName?: string, original?: vscode.TaskDefinition): vscode.Task {
  const exec = new vscode.CustomExecution(async () => new CliTerminal(s, def, folder, taskName));
  const task = new vscode.Task(original ?? def, folder, taskLabel(def, taskName), 'mmgrpo', exec, []);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return task;
}

/** The task's terminal: echoes the run in words, Ctrl+C or closing it cancels (resumable). */
class CliTerminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private run: ActiveRun | undefined;

  constructor(private readonly s: Services, private readonly def: MmgrpoTaskDefinition, private readonly folder: vscode.WorkspaceFolder, private readonly taskName?: string) {}

  open(): void {
    void this.startRun();
  }

  private line(text: string): void {
    this.writer.fire(text.replace(/\r?\n/g, '\r\n') + '\r\n');
  }

  private async startRun(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.line(UNTRUSTED_MESSAGE);
      this.closer.fire(1);
      return;
    }
    const settings = currentSettings(this.folder.uri);
    for (const problem of settings.problems) this.line(`warning: ${problem}`);
    const refusal = backendRefusal(this.def, settings);
    if (refusal) return this.refuse(refusal);
    const target = this.def.command === 'eval' ? evalTarget(settings, this.taskRuns()) : undefined;
    if (target?.kind === 'none') return this.refuse(target.message);
    if (target?.kind === 'run') this.line(target.note);
    const evalRunId = target?.kind === 'run' ? target.runId : undefined;
    const args = cliArgs(this.def, settings, { resumeKind: this.resumeKind(), evalRunId });
    const key = await apiKey(this.s.context);
    this.line(`$ mmgrpo ${args.join(' ')}`);
    this.run = this.s.runManager.start({
      label: taskLabel(this.def, this.taskName),
      args,
      cwd: this.folder.uri.fsPath,
      env: childEnv(process.env, key),
      secrets: key ? [key] : [],
      write: (l) => this.line(l),
    });
    const exit = await this.run.cli.exited;
    this.closer.fire(exit.code ?? 1);
  }

  /** Says in the terminal and a notification why nothing runs, and ends the task. */
  private refuse(message: string): void {
    this.line(message);
    void vscode.window.showInformationMessage(message);
    this.closer.fire(1);
  }

  /** This task's runs, newest first. */
  private taskRuns() {
    return runsOfTasks(this.s.runs.all(), [path.resolve(this.folder.uri.fsPath, this.def.task)]);
  }

  /** Resuming continues a run with the CLI command of its kind (MMGRPO-only `train` runs or composed `optimize` runs). */
  private resumeKind(): ResumableKind {
    const run = this.def.resume ? this.s.runs.findById(this.def.resume) : undefined;
    return run?.manifest.kind === 'train' ? 'train' : 'optimize';
  }

  handleInput(data: string): void {
    if (data === '\x03' && this.run) {
      this.line('^C cancelling (the run stays resumable)…');
      this.run.cli.cancel();
    }
  }

  close(): void {
    this.run?.cli.cancel();
  }
}
