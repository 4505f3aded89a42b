import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HttpError } from '../../../../src/embedded/server/httpError';
import { startEmbeddedServer, type BackendSource, type EmbeddedServerHandle } from '../../../../src/embedded/server/server';
import { FakeBackend } from '../../../fixtures/fakeBackend';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Sent verbatim instead of JSON.stringify(body). */
  raw?: string | Buffer;
  token?: string | null;
  host?: string;
  headers?: Record<string, string>;
}

/** Plain node:http so tests control every header (fetch forbids setting Host). */
export function request(server: { baseUrl: string; token: string }, route: string, opts: RequestOptions = {}): Promise<RawResponse> {
  const url = new URL(`${server.baseUrl}/${route}`.replace(/\/v1\/\//, '/v1/'));
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token !== null) headers.Authorization = `Bearer ${opts.token ?? server.token}`;
  headers.Host = opts.host ?? url.host;
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  return new Promise<RawResponse>((resolve, reject) => {
    const req = http.request(
      { hostname: '127.0.0.1', port: url.port, path: url.pathname + url.search, method: opts.method ?? (payload ? 'POST' : 'GET'), headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mmgrpo-server-'));
}

export interface TestServer extends EmbeddedServerHandle {
  backend?: FakeBackend;
  dir: string;
}

/** An in-process server over a FakeBackend (the worker path has its own tests). */
export async function startFakeServer(source?: BackendSource, maxBodyBytes?: number): Promise<TestServer> {
  const dir = tempDir();
  const backend = source === undefined ? new FakeBackend() : undefined;
  const handle = await startEmbeddedServer({
    backend: source ?? backend!,
    checkpointRoot: dir,
    token: 'test-token',
    maxBodyBytes,
    now: () => new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
  });
  return {
    ...handle,
    backend,
    dir,
    close: async () => {
      await handle.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function initializeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'openai/arbor:tiny-fake',
    run_name: 'My Run',
    trainer_config: { num_generations: 2, learning_rate: 1e-3, beta: 0.01, loss_type: 'grpo', lr_scheduler_type: 'constant' },
    inference_config: { model: 'tiny-fake', max_seq_len: 256 },
    gpu_config: { type: 'multi', multi: { num_inference_gpus: 1, num_training_gpus: 1 } },
    ...overrides,
  };
}

export function member(content: string, reward: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    messages: [{ role: 'user', content: 'classify: hello' }],
    completion: { role: 'assistant', content },
    reward,
    ...extra,
  };
}

export function stepBody(jobId: string, batchId: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    job_id: jobId,
    model: jobId,
    batch_id: batchId,
    batch: [
      [member('a', 1), member('b', 0)],
      [member('c', 0.5), member('d', 0)],
    ],
    ...overrides,
  };
}

/** The `data:` payloads of a server-sent event stream, in order (`[DONE]` kept as the string). */
export function sseData(text: string): unknown[] {
  const events = text.split('\n\n');
  assertFramed(text, events);
  return events
    .filter((e) => e !== '')
    .map((e) => {
      const payload = e.slice('data: '.length);
      return payload === '[DONE]' ? payload : JSON.parse(payload);
    });
}

/** Every event is exactly one `data: ` line, and the stream ends with a blank line. */
function assertFramed(text: string, events: string[]): void {
  if (!text.endsWith('\n\n')) throw new Error(`The stream does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  for (const e of events.slice(0, -1)) {
    if (!e.startsWith('data: ') || e.includes('\n')) throw new Error(`Not one data line: ${JSON.stringify(e)}`);
  }
}

/**
 * Sends a request and hangs up: after the first bytes of the answer (`'firstByte'`,
 * a client that goes away mid-stream) or after `ms` milliseconds whatever came.
 * Resolves with what it had read.
 */
export function requestThenHangUp(server: { baseUrl: string; token: string }, route: string, body: unknown, when: 'firstByte' | number = 'firstByte'): Promise<string> {
  const url = new URL(`${server.baseUrl}/${route}`);
  const payload = JSON.stringify(body);
  return new Promise<string>((resolve, reject) => {
    let read = '';
    const hangUp = (): void => {
      req.destroy();
      resolve(read);
    };
    const req = http.request(
      {
        hostname: '127.0.0.1', port: url.port, path: url.pathname, method: 'POST', agent: false,
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.on('data', (chunk: Buffer) => {
          read += chunk.toString('utf8');
          if (when === 'firstByte') hangUp();
        });
      },
    );
    if (typeof when === 'number') setTimeout(hangUp, when);
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end(payload);
  });
}

/** Runs `fn`, expecting the 400 a request check throws, with this param and a message matching. */
export function refused(fn: () => unknown, param: string | undefined, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HttpError, String(err));
    assert.equal(err.status, 400);
    assert.equal(err.param, param);
    assert.match(err.message, message);
    return true;
  });
}
