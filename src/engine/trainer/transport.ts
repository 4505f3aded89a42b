import { serverMessage, TrainerError } from './errors';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface TransportOptions {
  /** e.g. `http://127.0.0.1:7453/v1` (a bare host gets `/v1`). */
  baseUrl: string;
  token?: string;
  fetch: FetchLike;
  /** Retries after the first attempt, for calls that may be repeated safely. */
  maxRetries: number;
  retryBaseMs: number;
  sleep: (ms: number) => Promise<void>;
}

export interface CallOptions {
  timeoutMs: number;
  /** Whether repeating the call after a lost answer is harmless. */
  idempotent: boolean;
}

/** Ok status, or an HTTP error status with the parsed body. */
export interface RawAnswer {
  status: number;
  body: unknown;
}

export function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TrainerError('config', `The trainer URL \`${baseUrl}\` is not a valid URL; use e.g. http://127.0.0.1:7453/v1.`);
  }
  const trimmed = url.toString().replace(/\/+$/, '');
  return url.pathname === '/' || url.pathname === '' ? `${trimmed}/v1` : trimmed;
}

function connectionCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } })?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

/** One attempt; returns the answer or throws a TrainerError saying what failed. */
async function attempt(t: TransportOptions, method: string, route: string, body: unknown, timeoutMs: number): Promise<RawAnswer> {
  const base = normalizeBaseUrl(t.baseUrl);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (t.token) headers.Authorization = `Bearer ${t.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    const res = await t.fetch(`${base}/${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Non-JSON bodies (proxies, HTML error pages) are kept as text for the error message.
    }
    return { status: res.status, body: parsed };
  } catch (err) {
    if (controller.signal.aborted) {
      throw new TrainerError('timeout', `The trainer at ${base} did not answer ${method} ${route} within ${timeoutMs} ms.`);
    }
    const code = connectionCode(err) ?? (err as Error).message;
    throw new TrainerError('unreachable', `Cannot reach the trainer at ${base} (${code}). Is Arbor (or \`mmgrpo serve\`) running at that address?`);
  } finally {
    clearTimeout(timer);
  }
}

function httpError(method: string, route: string, answer: RawAnswer): TrainerError {
  const fallback = typeof answer.body === 'string' && answer.body ? answer.body.slice(0, 300) : `HTTP ${answer.status}`;
  const { message, param } = serverMessage(answer.body, fallback);
  const what = `The trainer rejected ${method} ${route} (HTTP ${answer.status})`;
  if (answer.status === 401 || answer.status === 403) {
    return new TrainerError('auth', `${what}: ${message}. Check the trainer token/API key.`, answer.status, param);
  }
  const kind = answer.status >= 500 ? 'server' : 'rejected';
  return new TrainerError(kind, `${what}: ${message}`, answer.status, param);
}

function retryable(err: TrainerError, idempotent: boolean): boolean {
  if (err.kind === 'server') return idempotent || err.status === 503;
  if (err.kind === 'unreachable') return idempotent || /ECONNREFUSED/.test(err.message);
  return err.kind === 'timeout' && idempotent;
}

/**
 * Calls the trainer with retries on connection errors and 5xx. Returns 2xx
 * answers and, when `passStatuses` lists them, those error answers too.
 */
export async function call(
  t: TransportOptions,
  method: 'GET' | 'POST',
  route: string,
  body: unknown,
  opts: CallOptions,
  passStatuses: number[] = [],
): Promise<RawAnswer> {
  for (let i = 0; ; i++) {
    try {
      const answer = await attempt(t, method, route, body, opts.timeoutMs);
      if ((answer.status >= 200 && answer.status < 300) || passStatuses.includes(answer.status)) return answer;
      throw httpError(method, route, answer);
    } catch (err) {
      const e = err as TrainerError;
      if (!(e instanceof TrainerError) || !retryable(e, opts.idempotent) || i >= t.maxRetries) throw err;
      await t.sleep(Math.min(8000, t.retryBaseMs * 2 ** i));
    }
  }
}
