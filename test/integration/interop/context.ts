import { strict as assert } from 'node:assert';
import { z } from 'zod/v4';
import type { InferenceCapabilities } from '../../../src/protocol/trainer';
import type { BodyLog } from './bodyLog';

export interface InteropServer {
  /** `http://127.0.0.1:PORT/v1` */
  baseUrl: string;
  token: string;
  close(): Promise<void>;
}

/** What every client's tests share; filled in before the first test. */
export interface SuiteContext {
  server: InteropServer;
  /** The served base model (first of /v1/models). */
  model: string;
  inference: InferenceCapabilities;
  log: BodyLog;
}

/** A short chat every client sends the same way. */
export const PROMPT = 'Say hi.';
/** Greedy decoding, so separate calls (streamed or not, any client) must agree. */
export const GREEDY = { temperature: 0, maxTokens: 12, seed: 7 } as const;
/** Room for a small JSON object. */
export const STRUCTURED_MAX_TOKENS = 96;


/** A small object every structured-output test asks for. */
export const ANSWER_SCHEMA = z.object({ answer: z.string(), confident: z.boolean() });

/** The HTTP status and text of an error as each client reports it (openai: status/error, AI SDK: statusCode/responseBody). */
export function httpFailure(err: unknown): { status: number | undefined; text: string } {
  const e = err as { status?: number; statusCode?: number; error?: unknown; responseBody?: string; message?: string };
  return { status: e.status ?? e.statusCode, text: `${e.message ?? ''} ${e.responseBody ?? ''} ${JSON.stringify(e.error ?? null)}` };
}

/**
 * A structured-output call: where the server enforces response_format, `run`
 * must return a value valid under ANSWER_SCHEMA; elsewhere it must fail with the
 * server's 400 naming response_format. Never skipped.
 */
export async function expectStructured(ctx: SuiteContext, run: () => Promise<unknown>): Promise<void> {
  if (ctx.inference.response_format) {
    const value = await run();
    assert.deepEqual(ANSWER_SCHEMA.parse(value), value, 'the parsed object validates under the schema');
    return;
  }
  await assert.rejects(run(), (err) => {
    const { status, text } = httpFailure(err);
    return status === 400 && text.includes('response_format');
  });
}
