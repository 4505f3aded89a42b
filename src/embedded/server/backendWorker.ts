// Worker-thread entry: builds the real backend through the factory named in
// workerData and answers method calls posted by WorkerBackend. Ordering is the
// server's job (LockedBackend), so calls are dispatched as they arrive.

import { parentPort, workerData } from 'node:worker_threads';
import type { EmbeddedBackend } from '../backend';
import { serializeError, type CallMessage, type WorkerBackendSpec, type WorkerReply } from './workerProtocol';

type Factory = (options: unknown) => EmbeddedBackend | Promise<EmbeddedBackend>;

async function buildBackend(spec: WorkerBackendSpec): Promise<EmbeddedBackend> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(spec.factoryModule) as Record<string, unknown>;
  const factory = mod[spec.factoryExport];
  if (typeof factory !== 'function') {
    throw new Error(`${spec.factoryModule} has no exported function \`${spec.factoryExport}\` to build the model backend.`);
  }
  return (factory as Factory)(spec.options);
}

function post(reply: WorkerReply): void {
  parentPort?.postMessage(reply);
}

async function dispatch(backend: EmbeddedBackend, msg: CallMessage): Promise<void> {
  try {
    const method = backend[msg.method] as (...args: unknown[]) => Promise<unknown>;
    const value = await method.apply(backend, msg.args);
    post({ kind: 'result', id: msg.id, value });
  } catch (err) {
    post({ kind: 'error', id: msg.id, error: serializeError(err) });
  }
}

async function main(): Promise<void> {
  let backend: EmbeddedBackend;
  try {
    backend = await buildBackend(workerData as WorkerBackendSpec);
  } catch (err) {
    post({ kind: 'initError', error: serializeError(err) });
    return;
  }
  parentPort?.on('message', (msg: CallMessage) => void dispatch(backend, msg));
  post({ kind: 'ready', modelName: backend.modelName });
}

void main();
