import { BackendRequestError, type BackendFeatures } from '../backend';

/** Messages between the server thread and the backend worker thread. */

/** Which module builds the backend inside the worker, and with what. */
export interface WorkerBackendSpec {
  /** Absolute path (or resolvable id) of a module exporting the factory. */
  factoryModule: string;
  /** Name of the exported factory: `(options) => EmbeddedBackend | Promise<EmbeddedBackend>`. */
  factoryExport: string;
  /** Passed to the factory; must survive structured cloning (SharedArrayBuffers stay shared). */
  options?: unknown;
  /** Overrides the worker script location (for bundles that put it elsewhere). */
  workerScript?: string;
}

export type BackendMethod = 'generate' | 'grpoStep' | 'sft' | 'setReference' | 'saveCheckpoint' | 'loadCheckpoint' | 'dispose';

export interface CallMessage {
  kind: 'call';
  id: number;
  method: BackendMethod;
  args: unknown[];
  /** generate only: post each delta back as it is produced (off for non-streamed calls: no message per token). */
  stream?: boolean;
}

/** The caller's AbortSignal fired: abort the call's generation in the worker. */
export interface AbortMessage {
  kind: 'abort';
  id: number;
}

export type HostMessage = CallMessage | AbortMessage;

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** BackendRequestError's field, so the server can still name it. */
  param?: string;
}

export type WorkerReply =
  | { kind: 'ready'; modelName: string; features?: BackendFeatures }
  /** A piece of text of choice `index` of the streamed generate call `id` (see OnDelta). */
  | { kind: 'delta'; id: number; index: number; text: string }
  | { kind: 'initError'; error: SerializedError }
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: SerializedError };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof BackendRequestError) return { name: err.name, message: err.message, stack: err.stack, param: err.param };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** The error again on the server's side; a refused request stays a BackendRequestError (a 400, not a 500). */
export function deserializeError(e: SerializedError): Error {
  const err = e.name === 'BackendRequestError' ? new BackendRequestError(e.message, e.param) : new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
