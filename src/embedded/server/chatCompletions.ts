import { randomBytes } from 'node:crypto';
import type { GenerateRequest, GenerateResult, GeneratedChoice } from '../backend';
import type { ChatCompletionChoice, ChatCompletionResponse, ChatCompletionTokenLogprob } from '../../protocol/trainer';
import { badRequest, notFound } from './httpError';
import { asArray, checkString, describe, Fields, readMessages } from './fields';
import { stripModelPrefix } from './modelNames';

const CHAT_FIELDS = [
  'model', 'messages', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'n', 'stop', 'seed',
  'logprobs', 'top_logprobs', 'guided_choice', 'structured_outputs', 'stream', 'user',
  'presence_penalty', 'frequency_penalty',
];

const DEFAULT_MAX_TOKENS = 256;
const MAX_TOKENS_LIMIT = 32_768;

export interface ChatInput {
  model: string;
  request: GenerateRequest;
}

function readStop(f: Fields): string[] | undefined {
  if (!f.has('stop')) return undefined;
  const raw = f.obj.stop;
  const list = typeof raw === 'string' ? [raw] : asArray(raw, 'stop');
  if (list.length > 16) throw badRequest('`stop` may hold at most 16 sequences.', 'stop');
  return list.map((s, i) => checkString(s, `stop[${i}]`));
}

function readChoiceList(value: unknown, path: string): string[] {
  const list = asArray(value, path);
  if (list.length === 0) throw badRequest(`\`${path}\` must hold at least one choice.`, path);
  return list.map((c, i) => checkString(c, `${path}[${i}]`));
}

function readGuidedChoice(f: Fields): string[] | undefined {
  const structured = f.optObject('structured_outputs');
  if (structured && f.has('guided_choice')) {
    throw badRequest('Send either `guided_choice` or `structured_outputs.choice`, not both.', 'guided_choice');
  }
  if (structured) {
    structured.allowOnly(['choice']);
    return readChoiceList(structured.required('choice'), structured.at('choice'));
  }
  return f.has('guided_choice') ? readChoiceList(f.obj.guided_choice, 'guided_choice') : undefined;
}

/** Fields we accept for compatibility but whose non-default values we cannot honour. */
function rejectUnsupported(f: Fields): void {
  if (f.has('stream') && f.obj.stream !== false) {
    throw badRequest('Streaming is not supported by the embedded server; omit `stream` or set it to false.', 'stream');
  }
  for (const key of ['presence_penalty', 'frequency_penalty']) {
    if (f.has(key) && f.obj[key] !== 0) {
      throw badRequest(`\`${key}\` is not supported by the embedded server; omit it or send 0, got ${describe(f.obj[key])}.`, key);
    }
  }
  f.optString('user');
}

function readMaxTokens(f: Fields): number {
  const rule = { integer: true, min: 1, max: MAX_TOKENS_LIMIT };
  const a = f.optNumber('max_tokens', rule);
  const b = f.optNumber('max_completion_tokens', rule);
  if (a !== undefined && b !== undefined && a !== b) {
    throw badRequest('`max_tokens` and `max_completion_tokens` disagree; send only one of them.', 'max_completion_tokens');
  }
  return b ?? a ?? DEFAULT_MAX_TOKENS;
}

export function parseChat(body: unknown): ChatInput {
  const f = new Fields(body, '').allowOnly(CHAT_FIELDS);
  rejectUnsupported(f);
  const model = stripModelPrefix(f.string('model'));
  const logprobs = f.optBoolean('logprobs') ?? false;
  const topLogprobs = f.optNumber('top_logprobs', { integer: true, min: 0, max: 20 }) ?? 0;
  if (topLogprobs > 0 && !logprobs) {
    throw badRequest('`top_logprobs` needs `logprobs: true`.', 'top_logprobs');
  }
  const request: GenerateRequest = {
    messages: readMessages(f.required('messages'), 'messages'),
    temperature: f.optNumber('temperature', { min: 0, max: 2 }) ?? 1,
    top_p: f.optNumber('top_p', { above: 0, max: 1 }) ?? 1,
    max_tokens: readMaxTokens(f),
    n: f.optNumber('n', { integer: true, min: 1, max: 128 }) ?? 1,
    logprobs,
    top_logprobs: topLogprobs,
  };
  const stop = readStop(f);
  if (stop) request.stop = stop;
  const seed = f.optNumber('seed', { integer: true });
  if (seed !== undefined) request.seed = seed;
  const choice = readGuidedChoice(f);
  if (choice) request.guidedChoice = choice;
  return { model, request };
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

export function formatChat(model: string, req: GenerateRequest, result: GenerateResult, nowMs: number): ChatCompletionResponse {
  const choices: ChatCompletionChoice[] = result.choices.map((c, index) => ({
    index,
    message: { role: 'assistant', content: c.text },
    finish_reason: c.finishReason,
    logprobs: req.logprobs ? { content: choiceLogprobs(c) } : null,
  }));
  return {
    id: `chatcmpl-${randomBytes(12).toString('hex')}`,
    object: 'chat.completion',
    created: Math.floor(nowMs / 1000),
    model,
    choices,
    usage: {
      prompt_tokens: result.promptTokens,
      completion_tokens: result.completionTokens,
      total_tokens: result.promptTokens + result.completionTokens,
    },
  };
}
