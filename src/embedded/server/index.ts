export { startEmbeddedServer } from './server';
export type { BackendSource, EmbeddedServerHandle, EmbeddedServerOptions, ServerLogger } from './server';
export { runServeCommand, parseServeArgs } from './main';
export type { ServeArgs, ServeIo } from './main';
export { WorkerBackend, resolveWorkerScript } from './workerHost';
export type { WorkerBackendSpec } from './workerProtocol';
