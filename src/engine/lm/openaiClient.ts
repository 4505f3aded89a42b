import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import type { TokenLogprob, TokenUsage } from '../../protocol/lm';
import { ResponseCache, cacheKey } from './cache';
import { sharedHttpFetch } from './httpFetch';
import { NO_KEY_PLACEHOLDER, validateLMConfig } from './config';
import { AttemptError, classifyFailure, toLMError, type FailureContext } from './errors';
import { Limiter, type Release } from './limiter';
import { RetriesExhausted, mulberry32, retryAfterFailure, type BackoffOptions, type Rng, type Sleep } from './retry';
import { LMError, type LanguageModel, type LMChoice, type LMConfig, type LMRequest, type LMResponse } from './types';
import { UsageMeter } from './usage';

/** Injectable collaborators; tests pass a seeded RNG and a recording sleep. */
export interface LMClientDeps {
  meter?: UsageMeter;
  limiter?: Limiter;
  rng?: Rng;
  sleep?: Sleep;
  backoff?: BackoffOptions;
}

type WireBody = Record<string, unknown>;

/**
 * Extension fields a request can do without: vLLM's guided_choice only
 * constrains decoding (the prompt already asks for one of the choices).
 * OpenAI and other strict servers answer 400 naming the field.
 */
const OPTIONAL_FIELDS = ['guided_choice'] as const;

/** The optional field a failed attempt's 400 names (in `param` or its message), if the body sent it. */
export function rejectedOptionalField(failure: AttemptError['failure'], body: WireBody): string | undefined {
  if (failure.kind !== 'bad_request' || failure.status !== 400) return undefined;
  return OPTIONAL_FIELDS.find((f) => f in body && (failure.param === f || (failure.detail ?? '').includes(f)));
}

/** `LanguageModel` over any OpenAI-compatible /v1/chat/completions endpoint (vLLM, llama.cpp, OpenAI…). */
export class OpenAICompatibleLM implements LanguageModel {
  readonly model: string;
  readonly usage: UsageMeter;
  readonly limiter: Limiter;
  private readonly client: OpenAI;
  private readonly cache?: ResponseCache;
  private readonly rng: Rng;
  private everSucceeded = false;
  /** Optional fields this server rejected: left out of every later request of this client (the run). */
  private readonly unsupported = new Set<string>();

  constructor(
    private readonly config: LMConfig,
    private readonly deps: LMClientDeps = {},
  ) {
    validateLMConfig(config);
    this.model = config.model;
    this.usage =
      deps.meter ??
      new UsageMeter({ promptPricePerMTok: config.promptPricePerMTok, completionPricePerMTok: config.completionPricePerMTok });
    this.limiter = deps.limiter ?? new Limiter(config.maxConcurrency);
    this.rng = deps.rng ?? mulberry32(0x5eed);
    if (config.cacheDir) this.cache = new ResponseCache(config.cacheDir);
    this.client = new OpenAI({
      apiKey: config.apiKey || NO_KEY_PLACEHOLDER,
      baseURL: config.baseUrl,
      // Retries are ours (jitter, Retry-After, error messages); the SDK must not double them.
      maxRetries: 0,
      timeout: config.timeoutMs,
      // Ambient OPENAI_ORG_ID / OPENAI_PROJECT_ID would otherwise be sent to arbitrary servers.
      organization: null,
      project: null,
      logLevel: 'off',
      // node:http instead of the global fetch: see httpFetch.ts.
      ...(config.transport === 'fetch' ? {} : { fetch: sharedHttpFetch() }),
    });
  }

  complete(request: LMRequest, signal?: AbortSignal): Promise<LMResponse> {
    const started = performance.now();
    const model = request.model ?? this.model;
    if (signal?.aborted) return Promise.reject(new LMError('aborted', 'The LM call was cancelled.'));
    // One run-wide signal is shared by many concurrent calls, each holding a listener while it
    // waits or runs; that is expected, not a leak, so silence Node's 10-listener warning.
    if (signal) setMaxListeners(0, signal);
    if (this.cache && request.cache === true) return this.completeCached(request, model, started, signal);
    let body: WireBody;
    try {
      body = buildBody(request, model);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.launch(this.withoutUnsupported(body), model, signal, started) as Promise<LMResponse>;
  }

  /** Fields this server rejected earlier in the run (see OPTIONAL_FIELDS); a server that takes them loses nothing. */
  get unsupportedFields(): readonly string[] {
    return [...this.unsupported];
  }

  private withoutUnsupported(body: WireBody): WireBody {
    if (this.unsupported.size === 0) return body;
    const out = { ...body };
    for (const f of this.unsupported) delete out[f];
    return out;
  }

  /** A cacheable call (deterministic evaluation): looked up, and stored after a fresh answer. */
  private async completeCached(request: LMRequest, model: string, started: number, signal?: AbortSignal): Promise<LMResponse> {
    const cache = this.cache as ResponseCache;
    const key = cacheKey(this.config.baseUrl, model, request);
    const hit = await cache.get(key);
    if (hit) {
      const res: LMResponse = { ...hit, latencyMs: performance.now() - started, cached: true, retries: 0 };
      this.usage.record(res);
      return res;
    }
    const res = (await this.launch(this.withoutUnsupported(buildBody(request, model)), model, signal, started)) as LMResponse;
    // A failed cache write only costs a future refetch; it must not fail a good answer.
    await cache.put(key, { model: res.model, choices: res.choices, usage: res.usage }).catch(() => undefined);
    return res;
  }

  /**
   * One attempt holding a concurrency slot (taken synchronously when free: no extra promise).
   * With `started` it is a call's first attempt and resolves with the call's response, retrying
   * after a failure; without, it is a retry's attempt and resolves with the answer or rejects
   * with a classified AttemptError.
   */
  private launch(body: WireBody, model: string, signal: AbortSignal | undefined, started?: number): Promise<Answer | LMResponse> {
    const release = signal?.aborted ? undefined : this.limiter.tryAcquire();
    if (release) return new InFlight(this, body, model, signal, release, started).start();
    const acquired = this.limiter.acquire(signal);
    const send = (r: Release) => new InFlight(this, body, model, signal, r, started).start();
    return started === undefined ? acquired.then(send) : acquired.then(send, (err: unknown) => this.afterFirstFailure(err, body, model, signal, started));
  }

  /** @internal The response of a call that got `answer` after `retries` retries; counted in usage. */
  respond(answer: Answer, started: number, retries: number): LMResponse {
    const res: LMResponse = {
      model: answer.model,
      choices: answer.choices,
      usage: answer.usage,
      latencyMs: performance.now() - started,
      cached: false,
      retries,
    };
    this.usage.record(res);
    return res;
  }

  /** @internal The first attempt failed (or never got a slot): retries if that is worth it; fails with an LMError. */
  async afterFirstFailure(first: unknown, body: WireBody, model: string, signal: AbortSignal | undefined, started: number): Promise<LMResponse> {
    const rejected = first instanceof AttemptError ? rejectedOptionalField(first.failure, body) : undefined;
    if (rejected) {
      // Once per call and field: the body without it cannot be rejected for it again.
      this.unsupported.add(rejected);
      return this.launch(this.withoutUnsupported(body), model, signal, started) as Promise<LMResponse>;
    }
    let outcome: { value: Answer; retries: number };
    try {
      outcome = await retryAfterFailure(() => this.launch(body, model, signal) as Promise<Answer>, first, {
        maxRetries: this.config.maxRetries,
        rng: this.rng,
        sleep: this.deps.sleep,
        backoff: this.deps.backoff,
        signal,
        classify: (err) =>
          err instanceof AttemptError
            ? { retry: err.failure.retryable, retryAfterMs: err.failure.retryAfterMs }
            : { retry: false },
      });
    } catch (err) {
      throw this.finalError(err, model);
    }
    return this.respond(outcome.value, started, outcome.retries);
  }

  private finalError(err: unknown, model: string): LMError {
    if (err instanceof LMError) return err;
    if (!(err instanceof RetriesExhausted)) return new LMError('bad_response', 'Unexpected LM client failure.');
    this.usage.recordFailedRetries(err.attempts - 1);
    const failure =
      err.lastError instanceof AttemptError ? err.lastError.failure : { kind: 'bad_response' as const, retryable: false };
    return toLMError(failure, err.attempts, { baseUrl: this.config.baseUrl, model, timeoutMs: this.config.timeoutMs });
  }

  /** @internal Called by `InFlight`: the SDK call, so the client stays private to this class. */
  createCompletion(body: WireBody, signal: AbortSignal | undefined): PromiseLike<unknown> {
    // maxRetries and timeout are set on the client; per-call options would only be merged again.
    return this.client.chat.completions.create(body as never, signal ? { signal } : undefined);
  }

  /** @internal Called by `InFlight` when an answer maps cleanly. */
  noteSuccess(): void {
    this.everSucceeded = true;
  }

  /** @internal Called by `InFlight`: what classifying a failure needs to know about this client. */
  failureContext(timedOut: boolean, signal: AbortSignal | undefined): FailureContext {
    return { timedOut, aborted: signal?.aborted === true, everSucceeded: this.everSucceeded, secret: this.config.apiKey };
  }

  /** @internal Per-attempt timeout in milliseconds. */
  get timeoutMs(): number {
    return this.config.timeoutMs;
  }
}

/**
 * One HTTP attempt in flight. A small class rather than an async function racing a
 * deadline promise, because it runs for every LM call: methods instead of per-call
 * closures, and the fewest promises (each one costs a hook call per promise once
 * AsyncLocalStorage is active, on Node 20).
 */
class InFlight {
  private timedOut = false;
  private settled = false;
  private timer?: NodeJS.Timeout;
  private ctrl?: AbortController;
  private resolve!: (answer: Answer | LMResponse | Promise<LMResponse>) => void;
  private reject!: (err: unknown) => void;

  constructor(
    private readonly lm: OpenAICompatibleLM,
    private readonly body: WireBody,
    private readonly model: string,
    private readonly signal: AbortSignal | undefined,
    private readonly release: Release,
    /** Set for a call's first attempt: it then resolves with the call's response, retrying on failure. */
    private readonly started?: number,
  ) {}

  /** Every failure leaves as a classified AttemptError (or, for a first attempt, goes to the retries). */
  start(): Promise<Answer | LMResponse> {
    const done = new Promise<Answer | LMResponse>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Our own timer also covers reading the body, which the SDK's timeout does not.
    // With a caller signal it aborts the request; without one it only stops waiting:
    // an AbortController per request costs measurable throughput on Node 20
    // (signals are transferable objects), and the SDK already makes one.
    if (this.signal) {
      this.ctrl = new AbortController();
      this.signal.addEventListener('abort', this, { once: true });
    }
    this.timer = setTimeout(onDeadline, this.lm.timeoutMs, this);
    try {
      this.lm.createCompletion(this.body, this.ctrl?.signal).then(
        (raw) => this.answer(raw),
        (err: unknown) => this.fail(err),
      );
    } catch (err) {
      this.fail(err);
    }
    return done;
  }

  /** The caller's signal aborted (EventListener object form: no closure needed). */
  handleEvent(): void {
    this.ctrl?.abort();
  }

  deadline(): void {
    this.timedOut = true;
    this.ctrl?.abort();
    this.fail(new Error(`timed out after ${this.lm.timeoutMs} ms`));
  }

  private answer(raw: unknown): void {
    if (this.settled) return;
    let answer: Answer;
    try {
      answer = mapCompletion(raw, this.model);
    } catch (err) {
      return this.fail(err);
    }
    this.lm.noteSuccess();
    this.settle();
    this.resolve(this.started === undefined ? answer : this.lm.respond(answer, this.started, 0));
  }

  /** Every failure leaves as a classified AttemptError; a late one after the deadline is dropped. */
  private fail(err: unknown): void {
    if (this.settled) return;
    const ctx = this.lm.failureContext(this.timedOut, this.signal);
    this.settle();
    const failure = new AttemptError(classifyFailure(err, ctx));
    if (this.started === undefined) this.reject(failure);
    else this.resolve(this.lm.afterFirstFailure(failure, this.body, this.model, this.signal, this.started));
  }

  private settle(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this);
    this.release();
  }
}

function onDeadline(attempt: InFlight): void {
  attempt.deadline();
}

type Answer = ReturnType<typeof mapCompletion>;

/** Wire body: extra fields first so the typed sampling fields (and model/messages) always win. */
export function buildBody(request: LMRequest, model: string): WireBody {
  const body: WireBody = request.extraBody ? { ...request.extraBody, model, messages: request.messages } : { model, messages: request.messages };
  const fields = ['temperature', 'top_p', 'max_tokens', 'n', 'seed', 'logprobs', 'top_logprobs'] as const;
  for (const f of fields) if (request[f] !== undefined) body[f] = request[f];
  if (request.stop && request.stop.length > 0) body.stop = request.stop;
  return body;
}

interface WireChoice {
  index?: number;
  message?: { content?: string | null };
  finish_reason?: string | null;
  logprobs?: { content?: WireTokenLogprob[] | null } | null;
}
interface WireTokenLogprob {
  token: string;
  logprob: number;
  top_logprobs?: { token: string; logprob: number }[];
}
interface WireCompletion {
  model?: string;
  choices?: WireChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null;
}

export function mapCompletion(raw: unknown, requestedModel: string): { model: string; choices: LMChoice[]; usage: TokenUsage } {
  const c = raw as WireCompletion | null;
  if (!c || typeof c !== 'object' || !Array.isArray(c.choices)) {
    throw new AttemptError({ kind: 'bad_response', retryable: false, detail: 'the body has no "choices" array' });
  }
  const ordered = c.choices.length > 1 ? [...c.choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)) : c.choices;
  const choices = ordered.map((ch): LMChoice => {
      const out: LMChoice = { text: ch.message?.content ?? '', finishReason: ch.finish_reason ?? null };
      const lp = ch.logprobs?.content;
      if (Array.isArray(lp)) out.logprobs = lp.map(mapTokenLogprob);
      return out;
    });
  const promptTokens = c.usage?.prompt_tokens ?? 0;
  const completionTokens = c.usage?.completion_tokens ?? 0;
  const usage = { promptTokens, completionTokens, totalTokens: c.usage?.total_tokens ?? promptTokens + completionTokens };
  return { model: typeof c.model === 'string' && c.model ? c.model : requestedModel, choices, usage };
}

function mapTokenLogprob(t: WireTokenLogprob): TokenLogprob {
  const out: TokenLogprob = { token: t.token, logprob: t.logprob };
  if (Array.isArray(t.top_logprobs) && t.top_logprobs.length > 0) {
    out.top = t.top_logprobs.map((a) => ({ token: a.token, logprob: a.logprob }));
  }
  return out;
}
