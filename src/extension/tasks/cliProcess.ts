import { spawn } from 'node:child_process';
import type { RunEvent } from '../../protocol/events';
import { isUnknownEvent, LineSplitter, parseEventLine } from './eventStream';

// One CLI child process. Everything is asynchronous: the extension host only
// reacts to pipe data and exit events, so a busy or crashed run never blocks it.

export interface CliLaunch {
  /** The Node executable (the extension host's own, run as Node). */
  node: string;
  script: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface CliHandlers {
  onEvent?(event: RunEvent): void;
  /** Lines that are not events: stderr, and any plain stdout text. */
  onText?(line: string, stream: 'stdout' | 'stderr'): void;
}

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  error?: string;
}

export interface CliRun {
  readonly pid: number | undefined;
  /** SIGINT: the CLI records a cancelled, resumable run and exits. */
  cancel(): void;
  /** SIGKILL, for a run that ignores cancellation. */
  kill(): void;
  readonly exited: Promise<CliExit>;
}

export function startCli(launch: CliLaunch, handlers: CliHandlers = {}): CliRun {
  const child = spawn(launch.node, [launch.script, ...launch.args], { cwd: launch.cwd, env: launch.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  const out = new LineSplitter();
  const err = new LineSplitter();
  const onStdout = (line: string) => {
    if (line.trim() === '') return;
    const e = parseEventLine(line);
    if (e) handlers.onEvent?.(e);
    else if (!isUnknownEvent(line)) handlers.onText?.(line, 'stdout');
  };
  const onStderr = (line: string) => handlers.onText?.(line, 'stderr');
  child.stdout.on('data', (c: Buffer) => out.push(c).forEach(onStdout));
  child.stderr.on('data', (c: Buffer) => err.push(c).forEach(onStderr));
  const exited = new Promise<CliExit>((resolve) => {
    let spawnError: string | undefined;
    child.on('error', (e) => {
      spawnError = `Could not start ${launch.node} ${launch.script}: ${e.message}`;
      resolve({ code: null, signal: null, error: spawnError });
    });
    // 'close' (not 'exit') so the last buffered lines are read before we report the end.
    child.on('close', (code, signal) => {
      out.flush().forEach(onStdout);
      err.flush().forEach(onStderr);
      if (!spawnError) resolve({ code, signal });
    });
  });
  const send = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  return { pid: child.pid, cancel: () => send('SIGINT'), kill: () => send('SIGKILL'), exited };
}
