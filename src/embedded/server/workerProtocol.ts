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
  id: number;
  method: BackendMethod;
  args: unknown[];
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type WorkerReply =
  | { kind: 'ready'; modelName: string }
  | { kind: 'initError'; error: SerializedError }
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: SerializedError };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}
