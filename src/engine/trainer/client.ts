import type {
  GRPOCheckpointRequest,
  GRPOInitializeRequest,
  GRPOStatus,
  GRPOStepRequest,
  SftRequest,
  SftResponse,
  TrainerCapabilities,
} from '../../protocol/trainer';
import { parseCapabilities, PLAIN_ARBOR, prepareInitializeBody, prepareStepBody } from './capabilities';
import { TrainerError } from './errors';
import { call, normalizeBaseUrl, type FetchLike, type TransportOptions } from './transport';

export interface TrainerClientOptions {
  /** e.g. `http://127.0.0.1:7453/v1`. */
  baseUrl: string;
  /** Bearer token (the embedded server's, or Arbor's API key). `token` is an alias. */
  apiKey?: string;
  token?: string;
  /** Per-call timeout for quick calls (status, initialize, checkpoint...). */
  timeoutMs?: number;
  /** Timeout of a step call, which may block while the trainer trains. */
  stepTimeoutMs?: number;
  /** Retries after the first attempt (connection errors, 5xx). */
  maxRetries?: number;
  retryBaseMs?: number;
  /** How often to poll status while a batch is pending on an asynchronous trainer. */
  pollIntervalMs?: number;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  /** Told (once per field) when an extension field is left out for a plain trainer. */
  onWarning?: (message: string) => void;
}

export interface StepOptions {
  /** Wait until the trainer has trained this batch (default true), so the next rollouts are on-policy. */
  waitForBatch?: boolean;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Checks the parts of a status every caller relies on; fills lists a minimal server may omit. */
function asStatus(body: unknown, route: string): GRPOStatus {
  const b = body as Partial<GRPOStatus> | undefined;
  if (typeof b !== 'object' || b === null || typeof b.job_id !== 'string' || typeof b.status !== 'string') {
    throw new TrainerError('bad_response', `The trainer's answer to ${route} is not a GRPO status (no job_id/status): ${JSON.stringify(body)?.slice(0, 200)}`);
  }
  return {
    ...b,
    job_id: b.job_id,
    status: b.status,
    current_model: typeof b.current_model === 'string' ? b.current_model : b.job_id,
    checkpoints: b.checkpoints ?? {},
    last_checkpoint: b.last_checkpoint ?? null,
    pending_batch_ids: Array.isArray(b.pending_batch_ids) ? b.pending_batch_ids : [],
  };
}

/** Client of an Arbor-compatible GRPO trainer (a real Arbor, or `mmgrpo serve`). */
export class ArborTrainerClient {
  readonly baseUrl: string;
  private readonly transport: TransportOptions;
  private readonly timeoutMs: number;
  private readonly stepTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private caps: TrainerCapabilities | undefined;
  private readonly warned = new Set<string>();

  constructor(private readonly options: TrainerClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.stepTimeoutMs = options.stepTimeoutMs ?? 30 * 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.transport = {
      baseUrl: this.baseUrl,
      token: options.apiKey ?? options.token,
      fetch: options.fetch ?? ((url, init) => fetch(url, init)),
      maxRetries: options.maxRetries ?? 3,
      retryBaseMs: options.retryBaseMs ?? 500,
      sleep: options.sleep ?? realSleep,
    };
  }

  /** What the trainer takes beyond plain Arbor; a server without the endpoint is plain Arbor. */
  async capabilities(): Promise<TrainerCapabilities> {
    if (this.caps) return this.caps;
    const answer = await call(this.transport, 'GET', 'capabilities', undefined, { timeoutMs: this.timeoutMs, idempotent: true }, [404, 405, 422]);
    this.caps = answer.status === 200 ? parseCapabilities(answer.body) : PLAIN_ARBOR;
    return this.caps;
  }

  /** Model ids the trainer's inference side serves (empty when it has no /models). */
  async models(): Promise<string[]> {
    const answer = await call(this.transport, 'GET', 'models', undefined, { timeoutMs: this.timeoutMs, idempotent: true }, [404, 405]);
    const data = (answer.body as { data?: Array<{ id?: unknown }> } | undefined)?.data;
    return answer.status === 200 && Array.isArray(data) ? data.map((m) => m.id).filter((id): id is string => typeof id === 'string') : [];
  }

  async initialize(request: GRPOInitializeRequest): Promise<GRPOStatus> {
    const { body, dropped } = prepareInitializeBody(request, await this.capabilities());
    this.warnDropped(dropped);
    // Not idempotent: a repeat could start a second job, so only refused connections are retried.
    return this.post('fine_tuning/grpo/initialize', body, false);
  }

  status(jobId: string): Promise<GRPOStatus> {
    return this.post('fine_tuning/grpo/status', { job_id: jobId }, true);
  }

  async step(request: GRPOStepRequest, opts: StepOptions = {}): Promise<GRPOStatus> {
    const { body, dropped } = prepareStepBody(request, await this.capabilities());
    this.warnDropped(dropped);
    let status = await this.post('fine_tuning/grpo/step', body, true, this.stepTimeoutMs);
    if (opts.waitForBatch === false) return status;
    const deadline = Date.now() + this.stepTimeoutMs;
    while (status.pending_batch_ids.includes(request.batch_id)) {
      if (Date.now() > deadline) {
        throw new TrainerError('timeout', `Batch ${request.batch_id} is still pending on the trainer after ${this.stepTimeoutMs} ms.`);
      }
      await this.transport.sleep(this.pollIntervalMs);
      status = await this.status(request.job_id);
    }
    return status;
  }

  /** Supervised warm start (our extension); refused clearly by trainers that lack it. */
  async sft(request: SftRequest): Promise<SftResponse> {
    if (!(await this.capabilities()).sft) {
      throw new TrainerError('config', `The trainer at ${this.baseUrl} has no supervised warm start (fine_tuning/sft); run without --warm-start.`);
    }
    const answer = await call(this.transport, 'POST', 'fine_tuning/sft', request, { timeoutMs: this.stepTimeoutMs, idempotent: false });
    const b = answer.body as Partial<SftResponse> | undefined;
    if (typeof b?.loss !== 'number') throw new TrainerError('bad_response', `The trainer's answer to fine_tuning/sft has no loss: ${JSON.stringify(answer.body)?.slice(0, 200)}`);
    return { loss: b.loss, steps: b.steps ?? 0, examples: b.examples ?? request.examples.length };
  }

  checkpoint(request: GRPOCheckpointRequest): Promise<GRPOStatus> {
    return this.post('fine_tuning/grpo/checkpoint', request, true, this.stepTimeoutMs);
  }

  /** Arbor's cancel answer is not always a status, so a status is fetched when it is not. */
  async cancel(jobId: string): Promise<GRPOStatus> {
    const answer = await call(this.transport, 'POST', 'fine_tuning/grpo/cancel', { job_id: jobId }, { timeoutMs: this.timeoutMs, idempotent: true });
    const b = answer.body as Partial<GRPOStatus> | undefined;
    return typeof b?.job_id === 'string' ? this.remember(asStatus(b, 'cancel')) : this.status(jobId);
  }

  terminate(jobId: string): Promise<GRPOStatus> {
    return this.post('fine_tuning/grpo/terminate', { job_id: jobId }, true, this.stepTimeoutMs);
  }

  private async post(route: string, body: unknown, idempotent: boolean, timeoutMs = this.timeoutMs): Promise<GRPOStatus> {
    const answer = await call(this.transport, 'POST', route, body, { timeoutMs, idempotent });
    return this.remember(asStatus(answer.body, route));
  }

  /** A status that carries capabilities is as good as the capabilities endpoint. */
  private remember(status: GRPOStatus): GRPOStatus {
    if (status.capabilities) this.caps = parseCapabilities(status.capabilities);
    return status;
  }

  private warnDropped(fields: string[]): void {
    for (const field of fields) {
      if (this.warned.has(field)) continue;
      this.warned.add(field);
      this.options.onWarning?.(
        `The trainer at ${this.baseUrl} does not advertise \`${field}\`, so it was not sent (plain Arbor rejects unknown fields).`,
      );
    }
  }
}
