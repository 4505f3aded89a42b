import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { selfCommand } from './selfCommand';

export interface EmbeddedProcessOptions {
  /** Folder of the model's weights and checkpoints (`.mmgrpo/models/<name>`); the server's default when absent. */
  modelDir?: string;
  /** Start from these saved weights instead of the model dir's own. */
  initFrom?: string;
  /** With initFrom: also restore the training state saved there (resuming the run that saved it). */
  resumeTraining?: boolean;
  /** Backend factory override (tests use a deterministic fake model). */
  backendModule?: string;
  backendExport?: string;
  /** Extra serve flags (model size, seed...). */
  extraArgs?: string[];
  /** Lines the server writes to stderr (progress, errors). */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface EmbeddedProcess {
  baseUrl: string;
  token: string;
  stop(): Promise<void>;
}

/**
 * Starts `mmgrpo serve` as a child process (so a crashing model never takes
 * the run down with it, and the run never holds the model's memory), waits
 * for its one JSON line, and stops it with the run. The child also exits when
 * our stdin pipe closes, so it never outlives a killed parent.
 */
export async function startEmbeddedProcess(o: EmbeddedProcessOptions): Promise<EmbeddedProcess> {
  const self = selfCommand();
  const args = [...self.args, 'serve', '--port', '0', '--exit-with-parent'];
  if (o.modelDir) args.push('--model-dir', o.modelDir);
  if (o.initFrom) args.push('--init-from', o.initFrom);
  if (o.initFrom && o.resumeTraining) args.push('--resume-training');
  if (o.backendModule) args.push('--backend-module', o.backendModule);
  if (o.backendExport) args.push('--backend-export', o.backendExport);
  args.push(...(o.extraArgs ?? []));
  const child = spawn(self.command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env } });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 50) stderr.shift();
    o.onLog?.(line);
  });
  const ready = await waitForReady(child, stderr, o.startTimeoutMs ?? 120_000);
  return { ...ready, stop: () => stopChild(child) };
}

/**
 * Client limits for a model server this process started on the CPU: a call
 * queued behind a batch of long prompts can take minutes on two cores, and
 * there is no network between to retry over, so a retry would only run the
 * same request twice.
 */
export const CPU_SERVER_LM_LIMITS = { timeoutMs: 600_000, maxRetries: 1 } as const;

/** The model a started server serves under (its first listed model): what requests must name. */
export async function servedModel(proc: Pick<EmbeddedProcess, 'baseUrl' | 'token'>): Promise<string> {
  const res = await fetch(`${proc.baseUrl}/models`, { headers: { Authorization: `Bearer ${proc.token}` } });
  const list = (await res.json()) as { data?: { id: string }[] };
  const id = list.data?.[0]?.id;
  if (!id) throw new Error(`The model server at ${proc.baseUrl} lists no model.`);
  return id;
}

function waitForReady(child: ChildProcess, stderr: string[], timeoutMs: number): Promise<{ baseUrl: string; token: string }> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      const tail = stderr.slice(-5).join('\n  ');
      reject(new Error(`The embedded model server did not start: ${why}.${tail ? `\n  ${tail}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    child.once('exit', (code, signal) => fail(`it exited (${signal ?? `code ${code}`})`));
    child.once('error', (err) => fail(err.message));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      try {
        const parsed = JSON.parse(line) as { baseUrl?: unknown; token?: unknown };
        if (typeof parsed.baseUrl !== 'string' || typeof parsed.token !== 'string') throw new Error('fields');
        resolve({ baseUrl: parsed.baseUrl, token: parsed.token });
      } catch {
        fail(`its first line was not {"baseUrl","token"}: ${line.slice(0, 120)}`);
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end(); // --exit-with-parent: a closed stdin asks the server to stop
    child.kill('SIGTERM');
  });
}
