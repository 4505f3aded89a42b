import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmbeddedBackend } from '../backend';
import { asHttpError, errorBody, HttpError, notFound } from './httpError';
import { ANSWERED, type Exchange } from './exchange';
import { bearerMatches, DEFAULT_MAX_BODY_BYTES, drainOrDrop, isLoopbackHost, readJsonBody, sendJson } from './httpIo';
import { GrpoJobs } from './grpoJobs';
import { LockedBackend } from './lockedBackend';
import { ROUTES, routeKey, type RouteContext } from './routes';
import { WorkerBackend, type WorkerBackendSpec } from './workerHost';

export interface ServerLogger {
  info(message: string): void;
  error(message: string): void;
}

/** A ready backend, a factory for one, or a factory module to run in a worker thread. */
export type BackendSource =
  | EmbeddedBackend
  | (() => EmbeddedBackend | Promise<EmbeddedBackend>)
  | { worker: WorkerBackendSpec };

export interface EmbeddedServerOptions {
  backend: BackendSource;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Bearer token clients must send; 32 random bytes (hex) when absent. */
  token?: string;
  /** Checkpoints go to `<checkpointRoot>/<job>/<checkpoint_name>`. */
  checkpointRoot: string;
  logger?: ServerLogger;
  maxBodyBytes?: number;
  now?: () => Date;
}

export interface EmbeddedServerHandle {
  /** `http://127.0.0.1:PORT/v1` */
  baseUrl: string;
  token: string;
  port: number;
  /** Stops listening, drops open connections and disposes the backend. */
  close(): Promise<void>;
}

async function resolveBackend(source: BackendSource): Promise<EmbeddedBackend> {
  if (typeof source === 'function') return source();
  if ('worker' in source) return WorkerBackend.start(source.worker);
  return source;
}

interface Gate {
  token: string;
  maxBodyBytes: number;
  logger?: ServerLogger;
}

async function dispatch(req: IncomingMessage, ctx: RouteContext, gate: Gate, ex: Exchange): Promise<unknown> {
  if (!isLoopbackHost(req.headers.host)) {
    throw new HttpError(403, 'This server only answers requests addressed to 127.0.0.1, localhost or [::1].', 'permission_error');
  }
  if (!bearerMatches(req.headers.authorization, gate.token)) {
    throw new HttpError(401, 'Missing or wrong API token; send `Authorization: Bearer <token>` with the token the server printed at start.', 'authentication_error');
  }
  const key = routeKey(req.url);
  const route = key !== undefined && Object.hasOwn(ROUTES, key) ? ROUTES[key] : undefined;
  if (!route) throw notFound(`No route ${req.method} ${req.url}. Routes live under /v1: ${Object.keys(ROUTES).join(', ')}.`);
  if (req.method !== route.method) {
    throw new HttpError(405, `Use ${route.method} for /v1/${key}, not ${req.method}.`, 'invalid_request_error', undefined, { Allow: route.method });
  }
  const body = route.method === 'POST' ? await readJsonBody(req, gate.maxBodyBytes) : undefined;
  return route.handle(ctx, body, ex);
}

/** Aborted when the connection closes before the answer was fully written: the client gave up. */
function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new DOMException('The client closed the connection.', 'AbortError'));
  });
  return controller.signal;
}

function handler(ctx: RouteContext, gate: Gate) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const ex: Exchange = { res, signal: disconnectSignal(res), logger: gate.logger };
    dispatch(req, ctx, gate, ex)
      .then((body) => {
        if (body !== ANSWERED) sendJson(res, 200, body);
      })
      .catch((err: unknown) => {
        // Nobody is left to read an answer, and an aborted generation is not a backend fault.
        if (ex.signal.aborted) return void res.destroy();
        const httpErr = asHttpError(err, gate.logger);
        if (!req.complete) drainOrDrop(req, gate.maxBodyBytes * 4);
        sendJson(res, httpErr.status, errorBody(httpErr), httpErr.headers);
      })
      .catch(() => res.destroy());
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServerHandle> {
  const raw = await resolveBackend(options.backend);
  const backend = new LockedBackend(raw);
  const now = options.now ?? (() => new Date());
  const ctx: RouteContext = { backend, jobs: new GrpoJobs(backend, options.checkpointRoot, now), now };
  const token = options.token ?? randomBytes(32).toString('hex');
  const gate: Gate = { token, maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, logger: options.logger };
  const server = createServer(handler(ctx, gate));
  // Unparseable HTTP never reaches the handler; answer it in the same JSON shape and hang up.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') return socket.destroy();
    const body = JSON.stringify({ error: { message: `Malformed HTTP request (${err.code ?? err.message}).`, type: 'invalid_request_error', param: null, code: null } });
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  let port: number;
  try {
    port = await listen(server, options.port ?? 0);
  } catch (err) {
    await raw.dispose().catch(() => undefined);
    throw new Error(`Could not listen on 127.0.0.1:${options.port ?? 0}: ${(err as Error).message}`);
  }
  options.logger?.info(`embedded server listening on 127.0.0.1:${port}`);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await raw.dispose();
    })();
    return closing;
  };
  return { baseUrl: `http://127.0.0.1:${port}/v1`, token, port, close };
}
