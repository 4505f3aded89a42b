import type { BackendFeatures, EmbeddedBackend, GenerateRequest, GenerateResult } from '../backend';
import type { InferenceCapabilities } from '../../protocol/trainer';
import { badRequest } from './httpError';
import { activePenalty } from './requestFields';
import { chatStreamShape, formatChat, parseChat, requireServedModel, type InferenceInput } from './chatCompletions';
import { completionStreamShape, formatCompletion, parseCompletion } from './completions';
import { ANSWERED, type Exchange } from './exchange';
import type { GrpoJobs } from './grpoJobs';
import { streamGeneration, type StreamShape } from './streaming';

/**
 * The OpenAI-compatible inference routes, identical for every backend: fields,
 * feature checks and streaming live here, so a backend only generates.
 */

export interface InferenceContext {
  backend: EmbeddedBackend;
  jobs: GrpoJobs;
  now: () => Date;
}

interface RouteKind {
  parse(body: unknown): InferenceInput;
  format(model: string, req: GenerateRequest, result: GenerateResult, nowMs: number): unknown;
  shape(model: string, req: GenerateRequest, nowMs: number): StreamShape;
}

const CHAT: RouteKind = { parse: parseChat, format: formatChat, shape: chatStreamShape };
const COMPLETION: RouteKind = { parse: parseCompletion, format: formatCompletion, shape: completionStreamShape };

/** What the backend cannot do is refused up front (400 naming the field), never silently ignored. */
export function requireFeatures(request: GenerateRequest, backend: EmbeddedBackend): void {
  const features = backend.features;
  if (request.logprobs && features?.logprobs === false) {
    throw badRequest(`\`logprobs\` cannot be served: the model backend behind this server (${backend.modelName}) does not report token logprobs; omit it.`, 'logprobs');
  }
  // Unlike logprobs (which every backend before features had), JSON outputs need a backend that says it enforces them.
  const field = activePenalty(request.penalties);
  if (field && features?.penalties !== true) {
    throw badRequest(`\`${field}\` cannot be served: the model backend behind this server (${backend.modelName}) has no token penalties; omit it or send ${field === 'repetition_penalty' ? 1 : 0}.`, field);
  }
  if (request.responseFormat && features?.responseFormat !== true) {
    throw badRequest(`\`response_format\` ${request.responseFormat.type} cannot be served: the model backend behind this server (${backend.modelName}) has no constrained JSON decoding; omit it.`, 'response_format');
  }
}

/** The inference part of GET /v1/capabilities. */
export function inferenceCapabilities(features: BackendFeatures | undefined): InferenceCapabilities {
  return { stream: true, response_format: features?.responseFormat === true, logprobs: features?.logprobs !== false, completions: true, penalties: features?.penalties === true };
}

async function serve(kind: RouteKind, ctx: InferenceContext, body: unknown, ex: Exchange): Promise<unknown> {
  const input = kind.parse(body);
  requireServedModel(input.model, ctx.jobs.servedModels());
  requireFeatures(input.request, ctx.backend);
  const nowMs = ctx.now().getTime();
  if (!input.stream) {
    const result = await ctx.backend.generate(input.request, undefined, ex.signal);
    return kind.format(input.model, input.request, result, nowMs);
  }
  const shape = kind.shape(input.model, input.request, nowMs);
  await streamGeneration({ backend: ctx.backend, request: input.request, shape, includeUsage: input.includeUsage }, ex);
  return ANSWERED;
}

export const chatRoute = (ctx: InferenceContext, body: unknown, ex: Exchange): Promise<unknown> => serve(CHAT, ctx, body, ex);
export const completionRoute = (ctx: InferenceContext, body: unknown, ex: Exchange): Promise<unknown> => serve(COMPLETION, ctx, body, ex);
