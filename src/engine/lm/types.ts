import type { ChatMessage, TokenLogprob, TokenUsage } from '../../protocol/lm';
import { MmgrpoError } from '../../protocol/errors';

/** OpenAI-style sampling settings (snake_case, as sent on the wire). */
export interface SamplingParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  n?: number;
  stop?: string[];
  seed?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  /** Extra body fields for servers that take them, e.g. `{ guided_choice: [...] }`. */
  extraBody?: Record<string, unknown>;
}

export interface LMRequest extends SamplingParams {
  messages: ChatMessage[];
  /** Overrides the client's model for this call. */
  model?: string;
  /** Use the on-disk cache for this call (never for sampled rollouts). */
  cache?: boolean;
}

export interface LMChoice {
  text: string;
  finishReason: string | null;
  logprobs?: TokenLogprob[];
}

export interface LMResponse {
  model: string;
  choices: LMChoice[];
  usage: TokenUsage;
  latencyMs: number;
  cached: boolean;
  /** Retries spent before this answer. */
  retries: number;
}

/** Anything that answers chat requests: the OpenAI-compatible client, or a scripted LM in tests. */
export interface LanguageModel {
  readonly model: string;
  complete(request: LMRequest, signal?: AbortSignal): Promise<LMResponse>;
}

export type LMErrorKind =
  | 'auth'
  | 'unreachable'
  | 'rate_limit'
  | 'server'
  | 'timeout'
  | 'bad_request'
  | 'bad_response'
  | 'aborted'
  | 'budget';

/** A failed LM call, after retries; `message` says what happened and how to fix it. */
export class LMError extends MmgrpoError {
  constructor(
    readonly kind: LMErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LMError';
  }
}

/** Connection and accounting settings of the OpenAI-compatible client. */
export interface LMConfig {
  /** Base URL of an OpenAI-compatible server, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** Model name sent with each request. */
  model: string;
  /** API key; kept in memory only, never written to disk or logs. */
  apiKey?: string;
  /** Maximum requests in flight at once. */
  maxConcurrency: number;
  /** Retries after the first attempt for 429, 5xx, timeouts and resets. */
  maxRetries: number;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** Folder of the on-disk response cache; no caching when absent. */
  cacheDir?: string;
  /**
   * What carries the SDK's HTTP requests: `http` (default) is node:http with keep-alive (see
   * lm/httpFetch.ts for what it saves); `fetch` is the global (undici) fetch the SDK uses on its own.
   */
  transport?: 'http' | 'fetch';
  /** Price in money units per 1M prompt tokens, for cost estimates. */
  promptPricePerMTok?: number;
  /** Price in money units per 1M completion tokens. */
  completionPricePerMTok?: number;
}
