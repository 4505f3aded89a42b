import type { ChatMessage } from '../../protocol/lm';
import type { LMRequest, LMResponse, SamplingParams } from '../lm/types';
import { LMError } from '../lm/types';
import { AdapterParseError } from '../adapters/errors';
import { ChatAdapter } from '../adapters/chatAdapter';
import type { Adapter, FormattedPrompt } from '../adapters/types';
import { currentContext, outsideContext, type ProgramContext } from '../trace/context';
import type { CallHandle } from '../trace/recorder';
import { Signature, type SignatureLike } from './signature';

export interface PredictOptions {
  instructions?: string;
  demos?: Record<string, unknown>[];
}

const DEFAULT_ADAPTER: Adapter = new ChatAdapter();

const tick = (): number => performance.now();

/** `Given the fields `a`, `b`, produce the fields `c`.` */
export function defaultInstructions(signature: Signature): string {
  const list = (names: string[]): string => names.map((n) => `\`${n}\``).join(', ');
  return `Given the fields ${list(signature.inputNames)}, produce the fields ${list(signature.outputNames)}.`;
}

/**
 * One LM call with a signature. Instructions and demos are public and mutable
 * because prompt optimizers rewrite them; the signature is fixed for life.
 */
export class Predict {
  readonly signature: Signature;
  instructions: string;
  demos: Record<string, unknown>[];

  constructor(signature: SignatureLike, options: PredictOptions = {}) {
    this.signature = this.prepareSignature(Signature.from(signature));
    this.instructions = options.instructions ?? this.signature.instructions ?? defaultInstructions(this.signature);
    this.demos = (options.demos ?? []).map((d) => ({ ...d }));
  }

  /** Hook for subclasses that extend the signature (ChainOfThought). */
  protected prepareSignature(signature: Signature): Signature {
    return signature;
  }

  forward(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    // Not an async function: this runs for every module call, and an async frame costs a
    // promise, a throwaway promise per await and a resume, each seen by the async hooks
    // behind AsyncLocalStorage. Errors before the LM call still leave as rejections.
    const ctx = currentContext();
    let call: PendingCall;
    let request: LMRequest;
    try {
      if (!ctx?.lm) {
        throw new Error(
          `${this.describe()} was called outside a program run, so it has no LM. ` +
            'Call it inside runProgram(program, inputs, { lm }) or an engine run, or wrap the call in withLM(lm, () => ...).',
        );
      }
      this.checkInputs(inputs, ctx);
      if (ctx.signal?.aborted) throw new LMError('aborted', `${this.describe(ctx)}: the run was cancelled before this call`);
      const adapter = ctx.adapter ?? DEFAULT_ADAPTER;
      const prompt = adapter.format({ signature: this.signature, instructions: this.instructions, demos: this.demos, inputs });
      request = buildRequest(prompt, ctx);
      const handle = ctx.recorder?.begin(this, { ...inputs });
      if (handle) fillRequest(handle, request, ctx.lm.model);
      call = new PendingCall(this, ctx, adapter, prompt, handle);
    } catch (e) {
      return Promise.reject(e);
    }
    let response: Promise<LMResponse>;
    try {
      response = outsideContext(lmComplete, ctx.lm, request, ctx.signal);
    } catch (e) {
      return Promise.reject(call.failed(e));
    }
    return response.then(
      (r) => call.answered(r),
      (e: unknown) => {
        throw call.failed(e);
      },
    );
  }

  /** @internal Called by `PendingCall`: the answer's outputs, recorded in the trace. */
  settleCall(call: PendingCall, response: LMResponse): Record<string, unknown> {
    try {
      return this.parseAnswer(call, response);
    } catch (e) {
      throw call.afterError(e);
    } finally {
      call.end();
    }
  }

  /** Records the answer and parses it into outputs. */
  private parseAnswer(call: PendingCall, response: LMResponse): Record<string, unknown> {
    const choice = response.choices[0];
    const record = call.handle?.record;
    if (record) fillResponse(record, response, tick() - call.started);
    if (!choice || typeof choice.text !== 'string') {
      const err = new LMError('bad_response', `${this.describe(call.ctx)}: the LM response has no choices`);
      if (record) record.error = err.message;
      throw err;
    }
    try {
      const outputs = call.adapter.parse(this.signature, choice.text, call.prompt);
      if (record) record.outputs = { ...outputs };
      return outputs;
    } catch (e) {
      if (record && e instanceof AdapterParseError) record.parseError = e.info;
      else if (record) record.error = errorMessage(e);
      throw e;
    }
  }

  private checkInputs(inputs: Record<string, unknown>, ctx?: ProgramContext): void {
    const fields = this.signature.inputFields;
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
      const expected = this.signature.inputNames;
      throw new Error(`${this.inputsHint(ctx)}; it was called with ${Array.isArray(inputs) ? 'an array' : String(inputs)} instead of an object like { ${expected[0]}: ... }`);
    }
    // Plain loops on the common (valid) path: this runs on every call and should not allocate.
    for (const key in inputs) {
      if (Object.hasOwn(inputs, key) && !hasField(fields, key)) return this.badInputs(inputs, ctx);
    }
    for (const f of fields) if (inputs[f.name] === undefined) return this.badInputs(inputs, ctx);
  }

  /** Throws the error that names every unknown or missing input field. */
  private badInputs(inputs: Record<string, unknown>, ctx?: ProgramContext): never {
    const expected = this.signature.inputNames;
    const unknown = Object.keys(inputs).filter((k) => !expected.includes(k));
    if (unknown.length) throw new Error(`${this.inputsHint(ctx)}; got unknown input field(s) ${unknown.map((n) => `"${n}"`).join(', ')}`);
    const missing = expected.filter((k) => inputs[k] === undefined);
    throw new Error(`${this.inputsHint(ctx)}; missing input field(s) ${missing.map((n) => `"${n}"`).join(', ')}`);
  }

  private inputsHint(ctx?: ProgramContext): string {
    return `${this.describe(ctx)} expects input fields ${this.signature.inputNames.map((n) => `"${n}"`).join(', ')}`;
  }

  /** Human name for errors: the module name when a run registered it. */
  protected describe(ctx?: ProgramContext): string {
    const kind = this.constructor.name || 'Predict';
    const name = ctx?.recorder?.nameOf(this);
    return name ? `${kind} module "${name}" (${this.signature.toString()})` : `${kind}(${this.signature.toString()})`;
  }
}

/** Adds a `reasoning` output before the others, so the model thinks before it answers. */
export class ChainOfThought extends Predict {
  protected override prepareSignature(signature: Signature): Signature {
    if (signature.outputNames.includes('reasoning')) return signature;
    return signature.withPrependedOutput({ name: 'reasoning', type: { kind: 'string' }, description: 'step by step reasoning' });
  }
}

function lmComplete(lm: ProgramContext['lm'], request: LMRequest, signal: AbortSignal | undefined): Promise<LMResponse> {
  return lm.complete(request, signal);
}

/** One predictor call waiting for its LM answer: what finishing it needs, without per-call closures over all of it. */
class PendingCall {
  readonly started = tick();

  constructor(
    private readonly predictor: Predict,
    readonly ctx: ProgramContext,
    readonly adapter: Adapter,
    readonly prompt: FormattedPrompt,
    readonly handle: CallHandle | undefined,
  ) {}

  answered(response: LMResponse): Record<string, unknown> {
    return this.predictor.settleCall(this, response);
  }

  /** The LM call failed: recorded in the trace; returns the error to rethrow. */
  failed(e: unknown): unknown {
    if (this.handle) Object.assign(this.handle.record, { error: errorMessage(e), latencyMs: tick() - this.started });
    const err = this.afterError(e);
    this.end();
    return err;
  }

  /** Notes which module an error came from (for classification after the run). */
  afterError(e: unknown): unknown {
    const handle = this.handle;
    if (handle) this.ctx.recorder?.noteFailure(e, handle.module);
    if (e instanceof AdapterParseError && handle) e.module = handle.module;
    return e;
  }

  end(): void {
    if (this.handle) this.ctx.recorder?.end(this.handle);
  }
}

function buildRequest(prompt: FormattedPrompt, ctx: ProgramContext): LMRequest {
  const sampling = ctx.sampling;
  const baseExtra = sampling?.extraBody;
  const request: LMRequest = { messages: prompt.messages };
  if (sampling) copySampling(sampling, request);
  // Merged only when either side has extra fields: the common call has none.
  if (hasKeys(baseExtra) || hasKeys(prompt.extraBody)) {
    const extraBody = { ...baseExtra, ...prompt.extraBody };
    if (Object.keys(extraBody).length > 0) request.extraBody = extraBody;
  }
  if (ctx.cache !== undefined) request.cache = ctx.cache;
  return request;
}

/** `{ ...sampling }` without `extraBody`, written as a loop (object rest is slow on hot paths). */
function copySampling(sampling: SamplingParams, into: LMRequest): void {
  const from = sampling as Record<string, unknown>;
  const to = into as unknown as Record<string, unknown>;
  for (const key in from) if (key !== 'extraBody' && Object.hasOwn(from, key)) to[key] = from[key];
}

function hasKeys(o: Record<string, unknown> | undefined): boolean {
  if (!o) return false;
  for (const key in o) if (Object.hasOwn(o, key)) return true;
  return false;
}

function fillRequest(handle: CallHandle, request: LMRequest, model: string): void {
  const messages = request.messages;
  const copy: ChatMessage[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) copy[i] = { ...messages[i] };
  const sampling: Record<string, unknown> = {};
  const from = request as unknown as Record<string, unknown>;
  for (const key in from) {
    if (key !== 'messages' && key !== 'cache' && key !== 'model' && Object.hasOwn(from, key)) sampling[key] = from[key];
  }
  handle.record.messages = copy;
  handle.record.sampling = sampling;
  handle.record.model = model;
}

function fillResponse(record: CallHandle['record'], response: LMResponse, latencyMs: number): void {
  const choice = response.choices[0];
  record.completion = choice && typeof choice.text === 'string' ? choice.text : null;
  record.latencyMs = latencyMs;
  if (response.model) record.model = response.model;
  if (response.usage) record.usage = { ...response.usage };
  if (choice?.logprobs) record.logprobs = choice.logprobs;
}

function hasField(fields: readonly { name: string }[], name: string): boolean {
  for (let i = 0; i < fields.length; i++) if (fields[i].name === name) return true;
  return false;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
