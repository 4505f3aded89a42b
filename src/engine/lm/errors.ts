import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { LMError, type LMErrorKind } from './types';
import { parseRetryAfterMs } from './retry';
import { MmgrpoError } from '../../protocol/errors';

/** One failed attempt, already classified; the retry loop decides from `retryable`. */
export interface AttemptFailure {
  kind: LMErrorKind;
  retryable: boolean;
  status?: number;
  /** OS / socket error code such as ECONNREFUSED. */
  code?: string;
  /** Server- or library-provided detail, already scrubbed of the API key. */
  detail?: string;
  retryAfterMs?: number;
  /** The request field a 400 blamed (OpenAI's `error.param`), when the server said. */
  param?: string;
}

export class AttemptError extends MmgrpoError {
  constructor(readonly failure: AttemptFailure) {
    super(failure.detail ?? failure.kind);
    this.name = 'AttemptError';
  }
}

export interface FailureContext {
  /** Our own per-attempt timer fired. */
  timedOut: boolean;
  /** The caller's signal aborted. */
  aborted: boolean;
  /** Refused connections are retried only once the server has answered before (it may be restarting). */
  everSucceeded: boolean;
  secret?: string;
}

const NO_ROUTE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Certificate checks that fail the same way on every attempt: not worth a retry, and the fix is on this side. */
const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const MAX_DETAIL = 300;

/** Removes the API key (and any bearer token) from text that may echo request details. */
export function scrubSecret(text: string, secret?: string): string {
  let out = text;
  if (secret && secret.length >= 6) out = out.split(secret).join('***');
  return out.replace(/Bearer\s+[^\s"',]+/gi, 'Bearer ***');
}

export function classifyFailure(err: unknown, ctx: FailureContext): AttemptFailure {
  if (err instanceof AttemptError) return err.failure;
  if (ctx.aborted) return { kind: 'aborted', retryable: false };
  if (ctx.timedOut || err instanceof APIConnectionTimeoutError) return { kind: 'timeout', retryable: true };
  if (err instanceof APIUserAbortError) return { kind: 'aborted', retryable: false };
  if (err instanceof APIConnectionError) return classifyConnection(err, ctx);
  if (err instanceof APIError && typeof err.status === 'number') return classifyStatus(err, ctx.secret);
  const code = findCode(err);
  if (code || (err instanceof TypeError && /terminated|socket|closed/i.test(err.message))) {
    // The body stream broke mid-read: a reset, worth retrying like any other connection drop.
    return { kind: 'unreachable', retryable: true, code: code ?? 'ECONNRESET', detail: detailOf(err, ctx.secret) };
  }
  // Malformed JSON and anything unforeseen: retrying a server that answers garbage rarely helps.
  return { kind: 'bad_response', retryable: false, detail: detailOf(err, ctx.secret) };
}

function classifyConnection(err: APIConnectionError, ctx: FailureContext): AttemptFailure {
  const code = findCode(err) ?? 'connection error';
  const noRoute = NO_ROUTE_CODES.has(code);
  const retryable = TLS_TRUST_CODES.has(code) ? false : !noRoute || ctx.everSucceeded;
  return { kind: 'unreachable', retryable, code, detail: detailOf(err, ctx.secret) };
}

function classifyStatus(err: APIError, secret?: string): AttemptFailure {
  const status = err.status as number;
  const detail = detailOf(err, secret);
  const retryAfterMs = parseRetryAfterMs(err.headers ?? undefined);
  if (status === 401 || status === 403) return { kind: 'auth', retryable: false, status, detail };
  if (status === 408) return { kind: 'timeout', retryable: true, status, detail, retryAfterMs };
  if (status === 429) return { kind: 'rate_limit', retryable: true, status, detail, retryAfterMs };
  // 409 is a transient lock conflict on some servers; 5xx are server faults.
  if (status === 409 || status >= 500) return { kind: 'server', retryable: true, status, detail, retryAfterMs };
  const param = typeof err.param === 'string' ? err.param : undefined;
  return { kind: 'bad_request', retryable: false, status, detail, ...(param ? { param } : {}) };
}

function detailOf(err: unknown, secret?: string): string | undefined {
  let text: string | undefined;
  if (err instanceof APIError) {
    const body = err.error as { message?: unknown } | undefined;
    text = typeof body?.message === 'string' ? body.message : err.message;
  } else if (err instanceof Error) {
    text = err.message;
  } else if (err !== undefined) {
    text = String(err);
  }
  if (!text) return undefined;
  const clean = scrubSecret(text, secret).replace(/\s+/g, ' ').trim();
  return clean.length > MAX_DETAIL ? `${clean.slice(0, MAX_DETAIL)}…` : clean;
}

/** First string `code` along the cause chain (undici nests the OS error inside "fetch failed"). */
export function findCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 6 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = findCode(errors[0]);
      if (inner) return inner;
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface MessageContext {
  baseUrl: string;
  model: string;
  timeoutMs: number;
}

/** Final, user-facing error: what failed, where, and what to do about it. */
export function toLMError(f: AttemptFailure, attempts: number, ctx: MessageContext): LMError {
  const at = `The LM server at ${ctx.baseUrl}`;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const why = f.detail ? `: ${f.detail}` : '';
  return new LMError(f.kind, messageFor(f, at, tries, why, ctx), f.status);
}

function messageFor(f: AttemptFailure, at: string, tries: string, why: string, ctx: MessageContext): string {
  switch (f.kind) {
    case 'aborted':
      return 'The LM call was cancelled.';
    case 'auth':
      return f.status === 403
        ? `${at} refused access (HTTP 403)${why}. Check MMGRPO_API_KEY and that the key may use model '${ctx.model}'.`
        : `${at} rejected the API key (HTTP ${f.status ?? 401}). Check MMGRPO_API_KEY.`;
    case 'unreachable':
      if (f.code && TLS_TRUST_CODES.has(f.code)) {
        return (
          `${at} presented a TLS certificate this machine does not trust (${f.code}). ` +
          'If the server uses a self-signed or private-CA certificate, set NODE_EXTRA_CA_CERTS to that CA\'s .pem file before starting; ' +
          'if the certificate was issued for another name, use that host name in the base URL.'
        );
      }
      return f.code && NO_ROUTE_CODES.has(f.code)
        ? `Cannot reach the LM server at ${ctx.baseUrl} (${f.code})${tries}. Is it running? Set the base URL with --base-url or MMGRPO_BASE_URL.`
        : `The connection to the LM server at ${ctx.baseUrl} broke (${f.code ?? 'reset'})${tries}. Check the server's logs; it may have crashed or be overloaded.`;
    case 'timeout':
      return `${at} did not answer within ${ctx.timeoutMs} ms${tries}. Raise timeoutMs, lower max_tokens, or lower maxConcurrency.`;
    case 'rate_limit':
      return `${at} kept rate-limiting requests (HTTP 429)${tries}${why}. Lower maxConcurrency or raise maxRetries.`;
    case 'server':
      return `${at} failed with HTTP ${f.status ?? '5xx'}${tries}${why}. Check the server's logs.`;
    case 'bad_request':
      if (f.status === 413) return `${at} refused the request as too large (HTTP 413${why}). Shorten the prompt (fewer or shorter demos and inputs) or raise the server's body limit.`;
      return f.status === 404
        ? `${at} has no model '${ctx.model}' (HTTP 404${why}). List the served models with GET ${ctx.baseUrl}/models and set --model or MMGRPO_MODEL; if that list fails too, the base URL is wrong (it usually ends in /v1).`
        : `${at} rejected the request for model '${ctx.model}' (HTTP ${f.status ?? 400}${why}). Check the sampling settings and extra body fields.`;
    case 'bad_response':
      return `${at} sent an answer that is not an OpenAI chat completion${why}. Check that the base URL points at an OpenAI-compatible /v1 endpoint.`;
    default:
      return `${at} failed (${f.kind})${tries}${why}.`;
  }
}
