import { MmgrpoError } from '../../protocol/errors';

export type TrainerErrorKind = 'unreachable' | 'timeout' | 'auth' | 'rejected' | 'server' | 'bad_response' | 'config';

/** A failed trainer call (after retries); `message` says what happened and what to do. */
export class TrainerError extends MmgrpoError {
  constructor(
    readonly kind: TrainerErrorKind,
    message: string,
    readonly status?: number,
    /** The field the server blamed, when it said. */
    readonly param?: string,
  ) {
    super(message);
    this.name = 'TrainerError';
  }
}

interface FastApiDetail {
  loc?: unknown[];
  msg?: string;
}

/**
 * The server's own words from an error body: OpenAI style `{error: {message}}`
 * (our server, vLLM) or FastAPI style `{detail: string | [{loc, msg}]}` (Arbor).
 */
export function serverMessage(body: unknown, fallback: string): { message: string; param?: string } {
  if (typeof body !== 'object' || body === null) return { message: fallback };
  const rec = body as Record<string, unknown>;
  const err = rec.error as Record<string, unknown> | undefined;
  if (err && typeof err.message === 'string') {
    return { message: err.message, param: typeof err.param === 'string' ? err.param : undefined };
  }
  if (typeof rec.detail === 'string') return { message: rec.detail };
  if (Array.isArray(rec.detail)) {
    const parts = (rec.detail as FastApiDetail[]).map((d) => {
      const loc = Array.isArray(d.loc) ? d.loc.filter((x) => x !== 'body').join('.') : '';
      return loc ? `${loc}: ${d.msg ?? 'invalid'}` : (d.msg ?? 'invalid');
    });
    const first = (rec.detail as FastApiDetail[])[0];
    const param = Array.isArray(first?.loc) ? first.loc.filter((x) => x !== 'body').join('.') : undefined;
    return { message: parts.join('; '), param: param || undefined };
  }
  return { message: fallback };
}
