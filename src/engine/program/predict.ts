import type { LMRequest, LMResponse } from '../lm/types';
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

  async forward(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const ctx = currentContext();
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
    const request = buildRequest(prompt, ctx);
    const handle = ctx.recorder?.begin(this, { ...inputs });
    if (handle) fillRequest(handle, request, ctx.lm.model);
    try {
      return await this.call(ctx, adapter, prompt, request, handle);
    } catch (e) {
      if (handle) ctx.recorder?.noteFailure(e, handle.module);
      if (e instanceof AdapterParseError && handle) e.module = handle.module;
      throw e;
    } finally {
      if (handle) ctx.recorder?.end(handle);
    }
  }

  private async call(
    ctx: ProgramContext,
    adapter: Adapter,
    prompt: FormattedPrompt,
    request: LMRequest,
    handle: CallHandle | undefined,
  ): Promise<Record<string, unknown>> {
    const started = tick();
    let response: LMResponse;
    try {
      response = await outsideContext(() => ctx.lm.complete(request, ctx.signal));
    } catch (e) {
      if (handle) Object.assign(handle.record, { error: errorMessage(e), latencyMs: tick() - started });
      throw e;
    }
    const choice = response.choices[0];
    const record = handle?.record;
    if (record) fillResponse(record, response, tick() - started);
    if (!choice || typeof choice.text !== 'string') {
      const err = new LMError('bad_response', `${this.describe(ctx)}: the LM response has no choices`);
      if (record) record.error = err.message;
      throw err;
    }
    try {
      const outputs = adapter.parse(this.signature, choice.text, prompt);
      if (record) record.outputs = { ...outputs };
      return outputs;
    } catch (e) {
      if (record && e instanceof AdapterParseError) record.parseError = e.info;
      else if (record) record.error = errorMessage(e);
      throw e;
    }
  }

  private checkInputs(inputs: Record<string, unknown>, ctx?: ProgramContext): void {
    const expected = this.signature.inputNames;
    const where = (): string => `${this.describe(ctx)} expects input fields ${expected.map((n) => `"${n}"`).join(', ')}`;
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
      throw new Error(`${where()}; it was called with ${Array.isArray(inputs) ? 'an array' : String(inputs)} instead of an object like { ${expected[0]}: ... }`);
    }
    const unknown = Object.keys(inputs).filter((k) => !expected.includes(k));
    if (unknown.length) throw new Error(`${where()}; got unknown input field(s) ${unknown.map((n) => `"${n}"`).join(', ')}`);
    const missing = expected.filter((k) => inputs[k] === undefined);
    if (missing.length) throw new Error(`${where()}; missing input field(s) ${missing.map((n) => `"${n}"`).join(', ')}`);
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

function buildRequest(prompt: FormattedPrompt, ctx: ProgramContext): LMRequest {
  const { extraBody: baseExtra, ...sampling } = ctx.sampling ?? {};
  const extraBody = { ...baseExtra, ...prompt.extraBody };
  const request: LMRequest = { messages: prompt.messages, ...sampling };
  if (Object.keys(extraBody).length > 0) request.extraBody = extraBody;
  if (ctx.cache !== undefined) request.cache = ctx.cache;
  return request;
}

function fillRequest(handle: CallHandle, request: LMRequest, model: string): void {
  const { messages, cache: _cache, model: _model, ...sampling } = request;
  handle.record.messages = messages.map((m) => ({ ...m }));
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

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
