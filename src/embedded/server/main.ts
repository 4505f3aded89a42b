import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { startEmbeddedServer, type BackendSource } from './server';
import type { WorkerBackendSpec } from './workerProtocol';

/**
 * `mmgrpo serve`: runs the embedded trainer server until a signal (or, with
 * --exit-with-parent, until stdin closes, so an editor that dies never leaves
 * an orphaned trainer behind).
 */

export interface ServeArgs {
  port: number;
  token?: string;
  modelDir: string;
  exitWithParent: boolean;
  /** Where the backend factory lives; defaults to the tiny model of this package. */
  backendModule: string;
  backendExport: string;
  /** Start from the weights saved in this checkpoint folder. */
  initFrom?: string;
  /** With initFrom: also restore the training state saved there (a resumed run). */
  resumeTraining: boolean;
  /** Extra options for the backend factory (JSON object: model size, seed...). */
  backendOptions: Record<string, unknown>;
}

/** Injectable process surface, so tests can drive the command without touching the real process. */
export interface ServeIo {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  signals: NodeJS.EventEmitter;
}

const USAGE =
  'usage: mmgrpo serve [--port N] [--token T] [--model-dir DIR] [--init-from CHECKPOINT_DIR [--resume-training]] [--backend-options JSON] [--exit-with-parent] [--backend-module PATH --backend-export NAME]';

// From source the tiny model sits beside this folder; in the bundle it is emitted as dist/tinyBackend.js.
export const DEFAULT_BACKEND_MODULE = __filename.endsWith('.ts') ? path.join(__dirname, '..', 'tinyBackend.ts') : path.join(__dirname, 'tinyBackend.js');
export const DEFAULT_BACKEND_EXPORT = 'createServedBackend';

const VALUE_FLAGS = ['--port', '--token', '--model-dir', '--backend-module', '--backend-export', '--init-from', '--backend-options'];

function takeValue(args: string[], i: number, flag: string): string {
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value. ${USAGE}`);
  return v;
}

export function parseServeArgs(args: string[]): ServeArgs {
  const out: ServeArgs = {
    port: 0,
    modelDir: path.join(os.homedir(), '.mmgrpo', 'embedded'),
    exitWithParent: false,
    resumeTraining: false,
    backendModule: DEFAULT_BACKEND_MODULE,
    backendExport: DEFAULT_BACKEND_EXPORT,
    backendOptions: {},
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--exit-with-parent') {
      out.exitWithParent = true;
      continue;
    }
    if (flag === '--resume-training') {
      out.resumeTraining = true;
      continue;
    }
    if (!VALUE_FLAGS.includes(flag)) throw new Error(`Unknown option ${flag}. ${USAGE}`);
    const value = takeValue(args, i, flag);
    i++;
    if (flag === '--port') {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer 0-65535, got ${value}.`);
      out.port = port;
    } else if (flag === '--token') out.token = value;
    else if (flag === '--model-dir') out.modelDir = path.resolve(value);
    else if (flag === '--backend-module') out.backendModule = path.resolve(value);
    else if (flag === '--init-from') out.initFrom = path.resolve(value);
    else if (flag === '--backend-options') out.backendOptions = parseJsonObject(value);
    else out.backendExport = value;
  }
  if (out.resumeTraining && !out.initFrom) throw new Error(`--resume-training restores the state saved with a checkpoint; give that checkpoint with --init-from <dir>. ${USAGE}`);
  return out;
}

function parseJsonObject(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`--backend-options must be a JSON object: ${(err as Error).message}. ${USAGE}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`--backend-options must be a JSON object. ${USAGE}`);
  return v as Record<string, unknown>;
}

function waitForStop(io: ServeIo, exitWithParent: boolean): Promise<string> {
  return new Promise<string>((resolve) => {
    const stop = (reason: string): void => {
      io.signals.off('SIGINT', onInt);
      io.signals.off('SIGTERM', onTerm);
      io.stdin.off('end', onEnd);
      io.stdin.off('close', onEnd);
      if (exitWithParent) io.stdin.pause();
      resolve(reason);
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    const onEnd = (): void => stop('stdin closed');
    io.signals.on('SIGINT', onInt);
    io.signals.on('SIGTERM', onTerm);
    if (exitWithParent) {
      io.stdin.on('end', onEnd);
      io.stdin.on('close', onEnd);
      io.stdin.resume();
    }
  });
}

/**
 * Returns the process exit code once the server has stopped. `backend`
 * replaces the worker-hosted tiny model (the CLI passes the local GGUF model
 * here: it runs in this process, since llama.cpp computes off the event loop).
 */
export async function runServeCommand(args: string[], io: ServeIo = defaultIo(), backend?: BackendSource): Promise<number> {
  let parsed: ServeArgs;
  try {
    parsed = parseServeArgs(args);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const worker: WorkerBackendSpec = {
    factoryModule: parsed.backendModule,
    factoryExport: parsed.backendExport,
    options: {
      ...parsed.backendOptions,
      modelDir: parsed.modelDir,
      ...(parsed.initFrom ? { initFrom: parsed.initFrom } : {}),
      ...(parsed.resumeTraining ? { resumeTraining: true } : {}),
    },
  };
  const logger = { info: (m: string) => io.stderr.write(`${m}\n`), error: (m: string) => io.stderr.write(`${m}\n`) };
  let handle;
  try {
    handle = await startEmbeddedServer({
      backend: backend ?? { worker },
      port: parsed.port,
      token: parsed.token,
      checkpointRoot: path.join(parsed.modelDir, 'checkpoints'),
      logger,
    });
  } catch (err) {
    io.stderr.write(`Could not start the embedded server: ${(err as Error).message}\n`);
    return 1;
  }
  const stopped = waitForStop(io, parsed.exitWithParent);
  io.stdout.write(`${JSON.stringify({ baseUrl: handle.baseUrl, token: handle.token })}\n`);
  const reason = await stopped;
  logger.info(`embedded server stopping (${reason})`);
  await handle.close();
  return 0;
}

function defaultIo(): ServeIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signals: process };
}
