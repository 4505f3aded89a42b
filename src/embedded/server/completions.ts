import { randomBytes } from 'node:crypto';
import type { GenerateRequest, GenerateResult, GeneratedChoice } from '../backend';
import type { CompletionChoice, CompletionLogprobs, CompletionResponse } from '../../protocol/trainer';
import { badRequest } from './httpError';
import { checkString, describe, Fields } from './fields';
import { stripModelPrefix } from './modelNames';
import {
  checkIgnored,
  COMPLETION_REFUSED_FIELDS,
  IGNORED_FIELDS,
  readGuidedChoice,
  readSampling,
  refuseUnsupported,
  SAMPLING_FIELDS,
} from './requestFields';
import { samplingRequest, usageOf, type InferenceInput } from './chatCompletions';
import type { StreamShape } from './streaming';

/** Legacy /v1/completions: a raw prompt, no chat template. */

const COMPLETION_FIELDS = [...SAMPLING_FIELDS, ...IGNORED_FIELDS, ...COMPLETION_REFUSED_FIELDS, 'prompt', 'logprobs', 'best_of'];

// OpenAI's default for this route (chat's is the server's own).
const DEFAULT_MAX_TOKENS = 16;

/** A string, or a list holding one string (the SDKs' batch form); token-id prompts need the model's tokenizer. */
function readPrompt(f: Fields): string {
  const raw = f.required('prompt');
  if (typeof raw === 'string') return checkString(raw, 'prompt');
  if (Array.isArray(raw) && raw.length === 1 && typeof raw[0] === 'string') return checkString(raw[0], 'prompt[0]');
  const what = Array.isArray(raw) && raw.length > 1 ? `a list of ${raw.length} prompts` : describe(raw);
  throw badRequest(`\`prompt\` must be one non-empty string (or a list of exactly one), got ${what}; send one request per prompt.`, 'prompt');
}

export function parseCompletion(body: unknown): InferenceInput {
  const f = new Fields(body, '').allowOnly(COMPLETION_FIELDS);
  refuseUnsupported(f, COMPLETION_REFUSED_FIELDS);
  checkIgnored(f);
  const model = stripModelPrefix(f.string('model'));
  // An integer: how many alternatives per position besides the sampled token (0 = the sampled token's only).
  const logprobs = f.optNumber('logprobs', { integer: true, min: 0, max: 20 });
  const sampling = readSampling(f, DEFAULT_MAX_TOKENS);
  const bestOf = f.optNumber('best_of', { integer: true, min: 1 });
  if (bestOf !== undefined && bestOf !== sampling.n) {
    throw badRequest(`\`best_of\` (${bestOf}) other than \`n\` (${sampling.n}) is not supported: the server does not rank samples; omit it.`, 'best_of');
  }
  const request: GenerateRequest = {
    prompt: readPrompt(f),
    ...samplingRequest(sampling),
    logprobs: logprobs !== undefined,
    top_logprobs: logprobs ?? 0,
  };
  const choice = readGuidedChoice(f);
  if (choice) request.guidedChoice = choice;
  return { model, request, stream: sampling.stream, includeUsage: sampling.includeUsage };
}

/** OpenAI's legacy logprobs; offsets count characters from the start of the prompt. */
function legacyLogprobs(c: GeneratedChoice, prompt: string): CompletionLogprobs {
  let offset = prompt.length;
  const textOffset = c.tokens.map((t) => {
    const at = offset;
    offset += t.length;
    return at;
  });
  return {
    tokens: c.tokens,
    token_logprobs: c.logprobs,
    top_logprobs: c.tokens.map((t, i) => {
      const top = Object.fromEntries((c.topLogprobs?.[i] ?? []).map((a) => [a.token, a.logprob]));
      return { ...top, [t]: c.logprobs[i] };
    }),
    text_offset: textOffset,
  };
}

function finishedChoice(req: GenerateRequest, c: GeneratedChoice, index: number): CompletionChoice {
  return { index, text: '', finish_reason: c.finishReason, logprobs: req.logprobs ? legacyLogprobs(c, req.prompt ?? '') : null };
}

export function formatCompletion(model: string, req: GenerateRequest, result: GenerateResult, nowMs: number): CompletionResponse {
  return {
    id: `cmpl-${randomBytes(12).toString('hex')}`,
    object: 'text_completion',
    created: Math.floor(nowMs / 1000),
    model,
    choices: result.choices.map((c, index) => ({ ...finishedChoice(req, c, index), text: c.text })),
    usage: usageOf(result),
  };
}

/** `text_completion` events: pieces of text per choice, then a closing one with its finish reason (and logprobs). */
export function completionStreamShape(model: string, req: GenerateRequest, nowMs: number): StreamShape {
  const head = { id: `cmpl-${randomBytes(12).toString('hex')}`, object: 'text_completion' as const, created: Math.floor(nowMs / 1000), model };
  return {
    chunk: (choices): CompletionResponse => ({ ...head, choices: choices as CompletionChoice[] }),
    delta: (index, text): CompletionChoice => ({ index, text, finish_reason: null, logprobs: null }),
    finish: (index, c) => finishedChoice(req, c, index),
  };
}
