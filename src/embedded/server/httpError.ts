/** An error that maps to one HTTP answer with an OpenAI-style JSON body. */
export class HttpError extends Error {
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
