import type { TopLogprob } from '../protocol/lm';
import { BackendRequestError, type GeneratedChoice, type GenerateRequest, type GenerateResult, type ResponseFormat } from './backend';
import { fitPrompt, requestPrompt } from './chatTemplate';
import { ChoiceTrie } from './choiceTrie';
import type { ModelConfig } from './config';
import { decodeStep, disposeCache, lastLogits, prefill, selectRows, type KvCache } from './decode';
import { compileJsonConstraint, type JsonConstraint, type JsonState } from './jsonConstraint';
import type { ParamMap } from './model';
import { Rng, deriveSeed } from './rng';
import { drawToken, logSoftmax, topLogprobs } from './sampling';
import { ByteTokenizer, SPECIAL } from './tokenizer';
import { advanceUtf8, allowedTokens, UTF8_START, type Utf8State } from './utf8Mask';

/*
 * Reported logprobs are log-softmax of the RAW logits (before temperature,
 * top_p and any guided-choice mask): that is the policy the trainer
 * differentiates, so old/new ratios compare like with like at any sampling
 * temperature. The trainer (tokenLogprobs in model.ts) uses the same definition.
 *
 * response_format is enforced the same way as guided choice, by masking each
 * step to the bytes the JSON automaton (jsonConstraint.ts) allows; a
 * completion finishes 'stop' only once its value is complete, so 'length'
 * marks every cut-off (hence unparsable) JSON output.
 */

export interface ModelHandle {
  params: ParamMap;
  config: ModelConfig;
  tokenizer: ByteTokenizer;
}

export interface SamplerOptions {
  /** false = recompute the whole sequence every step (benchmark baseline). */
  useKvCache: boolean;
}


interface Seq {
  req: number;
  rng: Rng;
  prompt: number[];
  out: number[];
  logprobs: number[];
  top: TopLogprob[][];
  maxNew: number;
  stops: Uint8Array[];
  trie?: ChoiceTrie;
  node: number;
  json?: JsonConstraint;
  jsonState?: JsonState;
  utf8: Utf8State;
  finish?: 'stop' | 'length';
}

export function validateRequest(r: GenerateRequest, c: ModelConfig): void {
  // What the client chose and the model cannot do is a BackendRequestError (a 400 naming the field);
  // the rest are the server's own invariants (it validates those fields first).
  const fail = (what: string, param?: string) => {
    const message = `Invalid generate request: ${what}.`;
    throw param ? new BackendRequestError(message, param) : new Error(message);
  };
  if ((r.prompt === undefined) === (r.messages === undefined)) fail('give exactly one of messages and prompt');
  if (r.messages !== undefined && (!Array.isArray(r.messages) || r.messages.length === 0)) fail('messages must be a non-empty array');
  if (r.prompt !== undefined && (typeof r.prompt !== 'string' || r.prompt === '')) fail('prompt must be a non-empty string');
  if (!(r.temperature >= 0 && Number.isFinite(r.temperature))) fail(`temperature must be >= 0, got ${r.temperature}`);
  if (!(r.top_p > 0 && r.top_p <= 1)) fail(`top_p must be in (0, 1], got ${r.top_p}`);
  if (!Number.isInteger(r.max_tokens) || r.max_tokens < 1) fail(`max_tokens must be a positive integer, got ${r.max_tokens}`);
  if (!Number.isInteger(r.n) || r.n < 1 || r.n > 128) fail(`n must be an integer in [1, 128], got ${r.n}`);
  if (!Number.isInteger(r.top_logprobs) || r.top_logprobs < 0 || r.top_logprobs > 20) fail(`top_logprobs must be an integer in [0, 20], got ${r.top_logprobs}`);
  if (r.seed !== undefined && !Number.isInteger(r.seed)) fail(`seed must be an integer, got ${r.seed}`);
  if (r.stop !== undefined && (!Array.isArray(r.stop) || r.stop.some((s) => typeof s !== 'string' || s === ''))) fail('stop must be an array of non-empty strings');
  if (r.guidedChoice && r.responseFormat) fail('give at most one of guidedChoice and responseFormat');
  if (r.responseFormat !== undefined) {
    try {
      jsonConstraintOf(r.responseFormat);
    } catch (e) {
      fail((e as Error).message, 'response_format');
    }
  }
  if (r.guidedChoice) {
    const longest = new ChoiceTrie(r.guidedChoice).longest;
    if (longest + 1 > c.contextLength - c.maxPromptTokens) fail(`a guidedChoice entry needs ${longest + 1} tokens but the model leaves only ${c.contextLength - c.maxPromptTokens} for completions`, 'guided_choice');
  }
}

// Compiled once per request (validateRequest, then makeSeqs), keyed by the request's own format object.
const compiledFormats = new WeakMap<ResponseFormat, JsonConstraint>();

function jsonConstraintOf(format: ResponseFormat): JsonConstraint {
  let c = compiledFormats.get(format);
  if (!c) compiledFormats.set(format, (c = compileJsonConstraint(format)));
  return c;
}

function makeSeqs(reqs: GenerateRequest[], prompts: number[][], seeds: number[], m: ModelHandle): Seq[] {
  const seqs: Seq[] = [];
  reqs.forEach((r, i) => {
    const trie = r.guidedChoice ? new ChoiceTrie(r.guidedChoice) : undefined;
    const room = m.config.contextLength - prompts[i].length;
    // A guided completion must be able to spell its longest choice, whatever max_tokens says.
    const maxNew = Math.min(room, trie ? Math.max(r.max_tokens, trie.longest + 1) : r.max_tokens);
    const json = r.responseFormat ? jsonConstraintOf(r.responseFormat) : undefined;
    // Stop strings could cut a constrained output short of its complete value, so they do not apply to one.
    const stops = trie || json ? [] : (r.stop ?? []).map((s) => m.tokenizer.encodeBytes(s));
    for (let j = 0; j < r.n; j++) {
      seqs.push({ req: i, rng: new Rng(deriveSeed(seeds[i], j)), prompt: prompts[i], out: [], logprobs: [], top: [], maxNew, stops, trie, node: ChoiceTrie.ROOT, json, jsonState: json?.start, utf8: UTF8_START });
    }
  });
  return seqs;
}

/**
 * Consume one logits row for `s`: pick a token (role/pad markers never; free
 * text stays valid UTF-8), record its raw logprob, update finish state.
 */
function advance(s: Seq, row: Float32Array, r: GenerateRequest, tok: ByteTokenizer): number {
  const allowed = s.trie ? s.trie.allowed(s.node) : s.json ? s.json.allowedTokens(s.jsonState!) : allowedTokens(s.utf8);
  const id = drawToken(row, allowed, r.temperature, r.top_p, s.rng);
  if (id === SPECIAL.endOfTurn) {
    s.finish = 'stop';
    return id;
  }
  const lsm = logSoftmax(row);
  s.out.push(id);
  s.logprobs.push(lsm[id]);
  if (r.top_logprobs > 0) s.top.push(topLogprobs(lsm, r.top_logprobs, (t) => tok.tokenText(t)));
  if (s.trie) s.node = s.trie.step(s.node, id);
  else s.utf8 = advanceUtf8(s.utf8, id);
  if (s.json) s.jsonState = s.json.step(s.jsonState!, id);
  const stopLen = matchedStop(s.out, s.stops);
  if (s.json?.isFinished(s.jsonState!)) {
    // Only end-of-turn could follow: stop now rather than spend a decode step on a forced token.
    s.finish = 'stop';
  } else if (stopLen > 0) {
    truncate(s, s.out.length - stopLen);
    s.finish = 'stop';
  } else if (s.out.length >= s.maxNew) {
    // Drop a half-written character so the text re-encodes to exactly the kept tokens.
    if (s.utf8.need > 0) truncate(s, s.out.length - s.utf8.partial);
    s.finish = 'length';
  }
  return id;
}

function truncate(s: Seq, keep: number): void {
  s.out.length = keep;
  s.logprobs.length = keep;
  s.top.length = Math.min(s.top.length, keep);
}

/** Length of the stop sequence the output now ends with (0 = none). */
function matchedStop(out: number[], stops: Uint8Array[]): number {
  for (const st of stops) {
    if (st.length > out.length) continue;
    let ok = true;
    for (let i = 0; i < st.length && ok; i++) ok = out[out.length - st.length + i] === st[i];
    if (ok) return st.length;
  }
  return 0;
}

/** Decode a set of requests together: one prefill per request shared by its n samples, then lockstep steps. */
export async function generateBatch(m: ModelHandle, reqs: GenerateRequest[], seeds: number[], opts: SamplerOptions): Promise<GenerateResult[]> {
  const V = m.config.vocabSize;
  const prompts = reqs.map((r) => fitPrompt(requestPrompt(r, m.tokenizer), m.config.maxPromptTokens));
  const seqs = makeSeqs(reqs, prompts, seeds, m);
  let active = seqs;
  let cache: KvCache | undefined;
  let logits: Float32Array;
  if (opts.useKvCache) {
    // Prefix sharing: requests with the same prompt (the G rollouts of one
    // input all send the same first-module prompt) are prefilled once.
    const { unique, rowOf } = dedupePrompts(prompts);
    const pre = prefill(m.params, m.config, unique, SPECIAL.pad);
    cache = selectRows(pre.cache, seqs.map((s) => rowOf[s.req]));
    logits = new Float32Array(seqs.length * V);
    seqs.forEach((s, i) => logits.set(pre.logits.subarray(rowOf[s.req] * V, (rowOf[s.req] + 1) * V), i * V));
  } else {
    logits = lastLogits(m.params, m.config, prompts, SPECIAL.pad);
    logits = expandRows(logits, seqs.map((s) => s.req), V);
  }
  try {
    for (;;) {
      const fed = active.map((s, i) => advance(s, logits.subarray(i * V, (i + 1) * V), reqs[s.req], m.tokenizer));
      const keep = active.map((s, i) => (s.finish ? -1 : i)).filter((i) => i >= 0);
      if (keep.length === 0) break;
      if (cache && keep.length < active.length) cache = selectRows(cache, keep);
      active = keep.map((i) => active[i]);
      const tokens = keep.map((i) => fed[i]);
      logits = cache ? decodeStep(m.params, m.config, cache, tokens) : lastLogits(m.params, m.config, active.map((s) => [...s.prompt, ...s.out]), SPECIAL.pad);
      await new Promise((res) => setImmediate(res)); // let new requests queue up while we decode
    }
  } finally {
    if (cache) disposeCache(cache);
  }
  return reqs.map((r, i) => toResult(seqs.filter((s) => s.req === i), prompts[i].length, r, m.tokenizer));
}

/** Distinct prompts, and for each request the row of its prompt among them. */
export function dedupePrompts(prompts: number[][]): { unique: number[][]; rowOf: number[] } {
  const index = new Map<string, number>();
  const unique: number[][] = [];
  const rowOf = prompts.map((p) => {
    const key = p.join(',');
    let row = index.get(key);
    if (row === undefined) {
      row = unique.length;
      index.set(key, row);
      unique.push(p);
    }
    return row;
  });
  return { unique, rowOf };
}

function expandRows(logits: Float32Array, rows: number[], V: number): Float32Array {
  const out = new Float32Array(rows.length * V);
  rows.forEach((r, i) => out.set(logits.subarray(r * V, (r + 1) * V), i * V));
  return out;
}

function toResult(seqs: Seq[], promptTokens: number, r: GenerateRequest, tok: ByteTokenizer): GenerateResult {
  const choices: GeneratedChoice[] = seqs.map((s) => ({
    text: tok.decode(s.out),
    tokens: s.out.map((id) => tok.tokenText(id)),
    logprobs: s.logprobs,
    ...(r.top_logprobs > 0 ? { topLogprobs: s.top } : {}),
    finishReason: s.finish ?? 'length',
  }));
  return { choices, promptTokens, completionTokens: seqs.reduce((a, s) => a + s.out.length, 0) };
}
