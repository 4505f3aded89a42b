import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';

/** The `fetch` signature the openai SDK accepts as its `fetch` option. */
export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` for the openai SDK on node:http(s) with keep-alive agents, used for every LM call.
 *
 * Why not the global fetch: on Node 20 it is undici's WHATWG implementation, whose streams,
 * transferable abort signals and ~130 promises per request make it the largest CPU cost of an
 * LM call. `bench/engineThroughput.ts` runs the engine over both: about 830 vs 1,180 µs of CPU
 * per chat completion against a zero-latency server. Against a fast local inference server
 * that CPU is the client's throughput limit. The SDK still builds the request, the headers and the errors; this
 * only moves bytes. Anything this does not handle (a Request object, a streamed or form body, a
 * redirect, a non-http(s) URL) goes to the global fetch unchanged.
 *
 * Semantics kept from undici's fetch, because the SDK and our error classification rely on them:
 * a connection failure rejects with `TypeError('fetch failed', { cause })` (the OS error, with its
 * `code`, as the cause); an aborted signal rejects with the signal's reason; the body is decoded
 * when the server compresses it anyway.
 */
export function createHttpFetch(): FetchFn {
  // Sockets: the caller's limiter bounds concurrency, so the pool need not. Idle sockets are
  // unref'd by the agent and do not keep the process alive.
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  return (input, init) => {
    const body = init?.body;
    const simpleBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (typeof input !== 'string' || !simpleBody || !init) return globalThis.fetch(input, init);
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      return globalThis.fetch(input, init);
    }
    const agent = url.protocol === 'http:' ? agents['http:'] : url.protocol === 'https:' ? agents['https:'] : undefined;
    if (!agent) return globalThis.fetch(input, init);
    return new Exchange(url, init, agent, body ?? undefined).start();
  };
}

/** One request and its response; a class so the per-request handlers are methods, not closures. */
class Exchange {
  private readonly chunks: Buffer[] = [];
  private req?: http.ClientRequest;
  private res?: http.IncomingMessage;
  private done = false;
  private resolve!: (r: Response) => void;
  private reject!: (e: unknown) => void;

  constructor(
    private readonly url: URL,
    private readonly init: RequestInit,
    private readonly agent: http.Agent,
    private readonly body: string | Uint8Array | undefined,
  ) {}

  start(): Promise<Response> {
    const promise = new Promise<Response>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const signal = this.init.signal ?? undefined;
    if (signal?.aborted) {
      this.reject(signal.reason);
      return promise;
    }
    const headers = headerObject(this.init.headers);
    if (this.body !== undefined) headers['content-length'] = String(Buffer.byteLength(this.body));
    const request = (this.url.protocol === 'https:' ? https.request : http.request)(this.url, {
      agent: this.agent,
      method: this.init.method ?? 'GET',
      headers,
    });
    this.req = request;
    request.on('response', (res) => this.onResponse(res));
    request.on('error', (err) => this.fail(err));
    signal?.addEventListener('abort', this, { once: true });
    request.end(this.body);
    return promise;
  }

  /** The signal aborted (EventListener object form). */
  handleEvent(): void {
    const reason: unknown = this.init.signal?.reason;
    this.finish();
    this.req?.destroy();
    this.res?.destroy();
    this.reject(reason);
  }

  private onResponse(res: http.IncomingMessage): void {
    this.res = res;
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location) {
      // Redirects are rare for an inference server; the global fetch follows them by the spec.
      res.resume();
      this.settle(globalThis.fetch(this.url.href, this.init));
      return;
    }
    if (isEventStream(res)) {
      // Streamed answers are handed over as they arrive (the engine itself never asks for them).
      // As with fetch, aborting the signal still ends the stream: the listener stays until it closes.
      const response = new Response(Readable.toWeb(res) as ReadableStream, responseInit(res));
      this.done = true;
      res.once('close', () => this.finish());
      this.resolve(response);
      return;
    }
    res.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    res.on('end', () => this.onEnd());
    res.on('error', (err) => this.fail(err));
    // Node reports a server that closes mid-body as 'aborted' on the response, before 'close'.
    res.on('aborted', () => this.fail(Object.assign(new Error('the server closed the connection mid-response'), { code: 'ECONNRESET' })));
  }

  private onEnd(): void {
    const res = this.res as http.IncomingMessage;
    if (!res.complete) {
      this.fail(Object.assign(new Error('the server closed the connection mid-response'), { code: 'ECONNRESET' }));
      return;
    }
    let response: Response;
    try {
      const bytes = decode(this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks), res.headers['content-encoding']);
      const nullBody = res.statusCode === 204 || res.statusCode === 205 || res.statusCode === 304;
      response = new Response(nullBody ? null : (bytes as Uint8Array as BodyInit), responseInit(res));
    } catch (err) {
      this.fail(err);
      return;
    }
    this.settle(Promise.resolve(response));
  }

  private fail(err: unknown): void {
    if (this.done) return;
    this.finish();
    this.req?.destroy();
    this.reject(new TypeError('fetch failed', { cause: err }));
  }

  private settle(response: Promise<Response>): void {
    if (this.done) return;
    this.finish();
    response.then(this.resolve, this.reject);
  }

  private finish(): void {
    this.done = true;
    this.init.signal?.removeEventListener('abort', this);
  }
}

/** Request headers as a plain object; the SDK passes a Headers instance, others may pass pairs or a record. */
function headerObject(h: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) {
    h.forEach((value, key) => {
      out[key] = value;
    });
  } else if (Array.isArray(h)) {
    for (const [key, value] of h) out[key.toLowerCase()] = value;
  } else {
    for (const key of Object.keys(h)) out[key.toLowerCase()] = (h as Record<string, string>)[key];
  }
  return out;
}

function responseInit(res: http.IncomingMessage): ResponseInit {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return { status: res.statusCode, statusText: res.statusMessage ?? '', headers };
}

function isEventStream(res: http.IncomingMessage): boolean {
  return /^text\/event-stream/i.test(res.headers['content-type'] ?? '');
}

/** Undoes a content-encoding the server applied although none was asked for. */
function decode(bytes: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case '':
    case 'identity':
      return bytes;
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(bytes);
    case 'deflate':
      return zlib.inflateSync(bytes);
    case 'br':
      return zlib.brotliDecompressSync(bytes);
    default:
      throw new Error(`the server sent an unsupported content-encoding "${encoding}"`);
  }
}

let shared: FetchFn | undefined;

/** One node:http fetch (and so one socket pool per protocol) for every LM client in the process. */
export function sharedHttpFetch(): FetchFn {
  return (shared ??= createHttpFetch());
}
