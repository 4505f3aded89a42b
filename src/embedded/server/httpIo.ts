import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, HttpError } from './httpError';

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    `Request body exceeds the ${limit}-byte limit of this server; send smaller batches.`,
    'invalid_request_error',
    undefined,
    { Connection: 'close' },
  );
}

/** Reads and parses a JSON body, never buffering more than `limit` bytes. */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise<unknown>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (err) => {
      failed = true;
      reject(badRequest(`Could not read the request body: ${err.message}`));
    });
    req.on('end', () => {
      if (failed) return;
      try {
        resolve(parseJson(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(err);
      }
    });
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw badRequest('The request body is empty; send a JSON object.');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`The request body is not valid JSON (${(err as Error).message}).`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text).toString(),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** True for Host headers naming this machine's loopback (any port): the DNS-rebinding defence. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const m = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i.exec(host.trim());
  return m !== null;
}

/** Constant-time token check; hashing first makes the compared lengths equal. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const a = createHash('sha256').update(m[1]).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** After a 413 the rest of the body is drained, up to a bound, so the client can read the answer. */
export function drainOrDrop(req: IncomingMessage, maxBytes: number): void {
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) req.destroy();
  });
  req.resume();
}
