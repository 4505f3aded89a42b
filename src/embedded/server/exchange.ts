import type { ServerResponse } from 'node:http';

/** What a route needs beyond the parsed body when it answers by itself (streaming). */
export interface Exchange {
  res: ServerResponse;
  /** Aborted when the client goes away before the answer is complete. */
  signal: AbortSignal;
  logger?: { error(message: string): void };
}

/** Returned by a route that has written its answer itself (a server-sent event stream). */
export const ANSWERED: unique symbol = Symbol('answered');
