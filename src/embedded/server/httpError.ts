import { MmgrpoError } from '../../protocol/errors';
import { BackendRequestError } from '../backend';

/** An error that maps to one HTTP answer with an OpenAI-style JSON body. */
export class HttpError extends MmgrpoError {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function badRequest(message: string, param?: string): HttpError {
  return new HttpError(400, message, 'invalid_request_error', param);
}

export function notFound(message: string, param?: string): HttpError {
  return new HttpError(404, message, 'not_found_error', param);
}

export function conflict(message: string, param?: string): HttpError {
  return new HttpError(409, message, 'conflict_error', param);
}

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function errorBody(err: HttpError): ErrorBody {
  return { error: { message: err.message, type: err.type, param: err.param ?? null, code: null } };
}

/**
 * Anything thrown while answering, as the HTTP error to send: a request the
 * backend refused as asked is the client's to fix (400 naming its field);
 * anything else is a backend fault (500, logged).
 */
export function asHttpError(err: unknown, logger?: { error(message: string): void }): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof BackendRequestError) return badRequest(err.message, err.param);
  const message = err instanceof Error ? err.message : String(err);
  logger?.error(`embedded server: backend error: ${message}`);
  return new HttpError(500, `The model backend failed: ${message}`, 'server_error');
}
