import { isDeepStrictEqual } from 'node:util';
import { badRequest } from './httpError';
import type { Penalties } from '../backend';
import { asArray, checkString, describe, type Fields } from './fields';

/**
 * Fields the chat and text completion routes share: sampling settings, streaming,
 * and what real clients send that this server cannot honour. A refusal names the
 * field and the value that would be accepted, so a user can fix a client they did
 * not write.
 */

const MAX_TOKENS_LIMIT = 32_768;

/** Sampling and streaming settings common to /v1/chat/completions and /v1/completions. */
export interface Sampling {
  temperature: number;
  top_p: number;
  max_tokens: number;
  n: number;
  stop?: string[];
  seed?: number;
  stream: boolean;
  /** `stream_options.include_usage`: a last chunk with the usage before `[DONE]`. */
  includeUsage: boolean;
  penalties?: Penalties;
}

export const SAMPLING_FIELDS = [
  'model', 'temperature', 'top_p', 'max_tokens', 'n', 'stop', 'seed', 'stream', 'stream_options',
  'guided_choice', 'structured_outputs', 'presence_penalty', 'frequency_penalty', 'repetition_penalty',
] as const;

/** Accepted and ignored: they change bookkeeping at OpenAI, not the text generated. */
export const IGNORED_FIELDS = ['user', 'metadata', 'store', 'service_tier', 'prompt_cache_key', 'safety_identifier'] as const;

interface Refusal {
  /** The values a client may send without asking for anything this server lacks. */
  harmless: (value: unknown) => boolean;
  why: string;
}

const isEmptyObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
const isEmptyList = (v: unknown) => Array.isArray(v) && v.length === 0;
const never = () => false;
const NO_TOOLS = 'this server generates plain text and has no tool calling';

/** Everything here is accepted only with its harmless values (null always counts as absent). */
const REFUSALS: Record<string, Refusal> = {
  logit_bias: { harmless: isEmptyObject, why: 'logit biases are not implemented; omit it or send {}' },
  tools: { harmless: isEmptyList, why: `${NO_TOOLS}; omit it` },
  tool_choice: { harmless: (v) => v === 'none', why: `${NO_TOOLS}; omit it or send "none"` },
  functions: { harmless: isEmptyList, why: `${NO_TOOLS}; omit it` },
  function_call: { harmless: (v) => v === 'none', why: `${NO_TOOLS}; omit it or send "none"` },
  // Only meaningful with tools, which are refused on their own.
  parallel_tool_calls: { harmless: (v) => typeof v === 'boolean', why: 'it must be true or false' },
  modalities: { harmless: (v) => isDeepStrictEqual(v, ['text']), why: 'this server produces text only; omit it or send ["text"]' },
  audio: { harmless: never, why: 'this server produces text only; omit it' },
  prediction: { harmless: never, why: 'predicted outputs are not implemented; omit it' },
  web_search_options: { harmless: never, why: 'this server has no web search; omit it' },
  reasoning_effort: { harmless: never, why: 'the model behind this server does not reason in hidden steps; omit it' },
  verbosity: { harmless: never, why: 'it is not implemented; omit it' },
  echo: { harmless: (v) => v === false, why: 'echoing the prompt is not implemented; omit it or send false' },
  suffix: { harmless: (v) => v === '', why: 'insertion (text after the completion) is not implemented; omit it' },
};

const SHARED_REFUSED = ['logit_bias'];
export const CHAT_REFUSED_FIELDS = Object.keys(REFUSALS).filter((k) => k !== 'echo' && k !== 'suffix');
export const COMPLETION_REFUSED_FIELDS = [...SHARED_REFUSED, 'echo', 'suffix'];

/** 400 for the first field in `keys` whose value asks for something unsupported. */
export function refuseUnsupported(f: Fields, keys: readonly string[]): void {
  for (const key of keys) {
    const rule = REFUSALS[key];
    if (rule && f.has(key) && !rule.harmless(f.obj[key])) {
      throw badRequest(`\`${key}\` is not supported by this server: ${rule.why} (got ${describe(f.obj[key])}).`, key);
    }
  }
}

/** Type-checks the accepted-and-ignored fields, so a malformed one is still a clear 400. */
export function checkIgnored(f: Fields): void {
  f.optString('user');
  f.optObject('metadata');
  f.optBoolean('store');
  f.optString('service_tier');
  f.optString('prompt_cache_key');
  f.optString('safety_identifier');
}

function readStop(f: Fields): string[] | undefined {
  if (!f.has('stop')) return undefined;
  const raw = f.obj.stop;
  const list = typeof raw === 'string' ? [raw] : asArray(raw, 'stop');
  if (list.length > 16) throw badRequest('`stop` may hold at most 16 sequences.', 'stop');
  return list.map((s, i) => checkString(s, `stop[${i}]`));
}

function readMaxTokens(f: Fields, fallback: number): number {
  const rule = { integer: true, min: 1, max: MAX_TOKENS_LIMIT };
  const a = f.optNumber('max_tokens', rule);
  const b = f.optNumber('max_completion_tokens', rule);
  if (a !== undefined && b !== undefined && a !== b) {
    throw badRequest('`max_tokens` and `max_completion_tokens` disagree; send only one of them.', 'max_completion_tokens');
  }
  return b ?? a ?? fallback;
}

/** `stream` and `stream_options` (accepted, and ignored, without `stream: true`). */
function readStreaming(f: Fields): { stream: boolean; includeUsage: boolean } {
  const stream = f.optBoolean('stream') ?? false;
  const options = f.optObject('stream_options');
  options?.allowOnly(['include_usage', 'include_obfuscation']);
  options?.optBoolean('include_obfuscation');
  const includeUsage = options?.optBoolean('include_usage') ?? false;
  return { stream, includeUsage: stream && includeUsage };
}

export function readSampling(f: Fields, defaultMaxTokens: number): Sampling {
  const sampling: Sampling = {
    temperature: f.optNumber('temperature', { min: 0, max: 2 }) ?? 1,
    top_p: f.optNumber('top_p', { above: 0, max: 1 }) ?? 1,
    max_tokens: readMaxTokens(f, defaultMaxTokens),
    n: f.optNumber('n', { integer: true, min: 1, max: 128 }) ?? 1,
    ...readStreaming(f),
  };
  const stop = readStop(f);
  if (stop) sampling.stop = stop;
  const seed = f.optNumber('seed', { integer: true });
  if (seed !== undefined) sampling.seed = seed;
  const penalties = readPenalties(f);
  if (penalties) sampling.penalties = penalties;
  return sampling;
}

/** The penalties a request sets (a neutral value is kept: it can turn a backend's default off). */
function readPenalties(f: Fields): Penalties | undefined {
  const p: Penalties = {};
  const presence = f.optNumber('presence_penalty', { min: -2, max: 2 });
  const frequency = f.optNumber('frequency_penalty', { min: -2, max: 2 });
  const repetition = f.optNumber('repetition_penalty', { above: 0, max: 2 });
  if (presence !== undefined) p.presence = presence;
  if (frequency !== undefined) p.frequency = frequency;
  if (repetition !== undefined) p.repetition = repetition;
  return Object.keys(p).length > 0 ? p : undefined;
}

/** The first penalty field set to a value that changes sampling, if any. */
export function activePenalty(p: Penalties | undefined): string | undefined {
  if (p?.repetition !== undefined && p.repetition !== 1) return 'repetition_penalty';
  if (p?.frequency) return 'frequency_penalty';
  if (p?.presence) return 'presence_penalty';
  return undefined;
}

function readChoiceList(value: unknown, path: string): string[] {
  const list = asArray(value, path);
  if (list.length === 0) throw badRequest(`\`${path}\` must hold at least one choice.`, path);
  return list.map((c, i) => checkString(c, `${path}[${i}]`));
}

/** vLLM's `guided_choice`, or its newer `structured_outputs: {choice}`. */
export function readGuidedChoice(f: Fields): string[] | undefined {
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
