import { randomBytes } from 'node:crypto';
import type { GenerateRequest, GenerateResult, GeneratedChoice } from '../backend';
import type {
  ChatCompletionChunk,
  ChatCompletionChunkChoice,
  ChatCompletionResponse,
  ChatCompletionTokenLogprob,
} from '../../protocol/trainer';
import { badRequest, notFound } from './httpError';
import { Fields, readMessages } from './fields';
import { stripModelPrefix } from './modelNames';
import {
  CHAT_REFUSED_FIELDS,
  checkIgnored,
  IGNORED_FIELDS,
  readGuidedChoice,
  readSampling,
  refuseUnsupported,
  SAMPLING_FIELDS,
  type Sampling,
} from './requestFields';
import { readResponseFormat, refuseBothConstraints } from './responseFormat';
import type { StreamShape } from './streaming';

const CHAT_FIELDS = [
  ...SAMPLING_FIELDS, ...IGNORED_FIELDS, ...CHAT_REFUSED_FIELDS,
  'messages', 'max_completion_tokens', 'logprobs', 'top_logprobs', 'response_format',
];

const DEFAULT_MAX_TOKENS = 256;

/** A parsed inference request: what to generate, for which served model, and how to answer. */
export interface InferenceInput {
  model: string;
  request: GenerateRequest;
  stream: boolean;
  includeUsage: boolean;
}

/** The GenerateRequest fields every route fills the same way. */
export function samplingRequest(s: Sampling): Omit<GenerateRequest, 'logprobs' | 'top_logprobs'> {
  const { stream: _stream, includeUsage: _usage, ...request } = s;
  return request;
}

export function parseChat(body: unknown): InferenceInput {
  const f = new Fields(body, '').allowOnly(CHAT_FIELDS);
  refuseUnsupported(f, CHAT_REFUSED_FIELDS);
  checkIgnored(f);
  const model = stripModelPrefix(f.string('model'));
  const logprobs = f.optBoolean('logprobs') ?? false;
  const topLogprobs = f.optNumber('top_logprobs', { integer: true, min: 0, max: 20 }) ?? 0;
  if (topLogprobs > 0 && !logprobs) {
    throw badRequest('`top_logprobs` needs `logprobs: true`.', 'top_logprobs');
  }
  const sampling = readSampling(f, DEFAULT_MAX_TOKENS);
  const request: GenerateRequest = {
    messages: readMessages(f.required('messages'), 'messages'),
    ...samplingRequest(sampling),
    logprobs,
    top_logprobs: topLogprobs,
  };
  const choice = readGuidedChoice(f);
  const format = readResponseFormat(f);
  refuseBothConstraints(format, choice);
  if (choice) request.guidedChoice = choice;
  if (format) request.responseFormat = format;
  return { model, request, stream: sampling.stream, includeUsage: sampling.includeUsage };
}

export function requireServedModel(model: string, served: string[]): void {
  if (!served.includes(model)) {
    throw notFound(`The model \`${model}\` is not served here. Available: ${served.join(', ')}.`, 'model');
  }
}

function utf8Bytes(text: string): number[] {
  return [...Buffer.from(text, 'utf8')];
}

function choiceLogprobs(c: GeneratedChoice): ChatCompletionTokenLogprob[] {
  return c.tokens.map((token, i) => ({
    token,
    logprob: c.logprobs[i],
    bytes: utf8Bytes(token),
    top_logprobs: (c.topLogprobs?.[i] ?? []).map((t) => ({ token: t.token, logprob: t.logprob, bytes: utf8Bytes(t.token) })),
  }));
}

export function usageOf(result: GenerateResult): ChatCompletionResponse['usage'] {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
  };
}

export function formatChat(model: string, req: GenerateRequest, result: GenerateResult, nowMs: number): ChatCompletionResponse {
  return {
    id: `chatcmpl-${randomBytes(12).toString('hex')}`,
    object: 'chat.completion',
    created: Math.floor(nowMs / 1000),
    model,
    choices: result.choices.map((c, index) => ({
      index,
      message: { role: 'assistant', content: c.text },
      finish_reason: c.finishReason,
      logprobs: req.logprobs ? { content: choiceLogprobs(c) } : null,
    })),
    usage: usageOf(result),
  };
}

/**
 * `chat.completion.chunk` events: each choice opens with its role, then pieces
 * of content, then a chunk with its finish reason. Logprobs ride on that last
 * chunk: they are known once the choice is done, while the content pieces may
 * have streamed live; clients (the openai SDK's stream helper) append each
 * chunk's logprobs, so the assembled answer equals the non-streamed one.
 */
export function chatStreamShape(model: string, req: GenerateRequest, nowMs: number): StreamShape {
  const head = { id: `chatcmpl-${randomBytes(12).toString('hex')}`, object: 'chat.completion.chunk' as const, created: Math.floor(nowMs / 1000), model };
  const entry = (index: number, delta: ChatCompletionChunkChoice['delta']): ChatCompletionChunkChoice => ({ index, delta, finish_reason: null, logprobs: null });
  return {
    chunk: (choices): ChatCompletionChunk => ({ ...head, choices: choices as ChatCompletionChunkChoice[] }),
    opening: (index) => entry(index, { role: 'assistant', content: '' }),
    delta: (index, text) => entry(index, { content: text }),
    finish: (index, c) => ({
      index,
      delta: {},
      finish_reason: c.finishReason,
      logprobs: req.logprobs ? { content: choiceLogprobs(c) } : null,
    }),
  };
}
