// Worker-thread entry: builds the real backend through the factory named in
// workerData and answers method calls posted by WorkerBackend. Ordering is the
// server's job (LockedBackend), so calls are dispatched as they arrive.

import { parentPort, workerData } from 'node:worker_threads';
import type { EmbeddedBackend, GenerateRequest, OnDelta } from '../backend';
import { serializeError, type CallMessage, type HostMessage, type WorkerBackendSpec, type WorkerReply } from './workerProtocol';

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

/** Abort controllers of the generate calls in flight, by call id. */
const inFlight = new Map<number, AbortController>();

/**
 * generate gets a signal the host can abort and, for streamed calls, an onDelta
 * that posts each piece as the backend reports it. (The tiny backend reports its
 * pieces when a choice's result is ready, since its batched sampler has no
 * per-token hook; a backend that samples token by token reports them live.)
 */
function runGenerate(backend: EmbeddedBackend, msg: CallMessage): Promise<unknown> {
  const controller = new AbortController();
  inFlight.set(msg.id, controller);
  const onDelta: OnDelta | undefined = msg.stream ? (index, text) => post({ kind: 'delta', id: msg.id, index, text }) : undefined;
  return backend.generate(msg.args[0] as GenerateRequest, onDelta, controller.signal).finally(() => inFlight.delete(msg.id));
}

async function dispatch(backend: EmbeddedBackend, msg: CallMessage): Promise<void> {
  try {
    const value =
      msg.method === 'generate'
        ? await runGenerate(backend, msg)
        : await (backend[msg.method] as (...args: unknown[]) => Promise<unknown>).apply(backend, msg.args);
    post({ kind: 'result', id: msg.id, value });
  } catch (err) {
    post({ kind: 'error', id: msg.id, error: serializeError(err) });
  }
}

function onMessage(backend: EmbeddedBackend, msg: HostMessage): void {
  if (msg.kind === 'abort') inFlight.get(msg.id)?.abort(new DOMException('The caller aborted the generation.', 'AbortError'));
  else void dispatch(backend, msg);
}

async function main(): Promise<void> {
  let backend: EmbeddedBackend;
  try {
    backend = await buildBackend(workerData as WorkerBackendSpec);
  } catch (err) {
    post({ kind: 'initError', error: serializeError(err) });
    return;
  }
  parentPort?.on('message', (msg: HostMessage) => onMessage(backend, msg));
  post({ kind: 'ready', modelName: backend.modelName, features: backend.features });
}

void main();
