import type { LlamaContextSequence, LlamaContextSequenceRepeatPenalty, LlamaGrammar, Token } from 'node-llama-cpp';
import type { TopLogprob } from '../../protocol/lm';
import type { GeneratedChoice, GenerateRequest, Penalties } from '../backend';
import { ByteTrie } from '../choiceTrie';
import { ChoiceEscaped, choiceBias, type TokenChoiceTrie } from './choiceTokens';
import type { LoadedModel } from './llamaRuntime';

/**
 * One sampled completion on a borrowed sequence: evaluates the prompt tokens
 * the sequence does not hold yet, then samples token by token (llama.cpp
 * applies temperature, top_p, the seed and the grammar natively), stopping
 * at end-of-generation, a stop string or max_tokens. Text is streamed through
 * `emit` as it becomes final: never a partial UTF-8 character, never text a
 * stop string may still swallow.
 */

export interface ChoiceJob {
  request: GenerateRequest;
  prompt: Token[];
  seed: number;
  grammar?: LlamaGrammar;
  /** guided_choice by logit bias over the choices' tokens (instead of `grammar`). */
  choices?: TokenChoiceTrie;
  emit?: (text: string) => void;
  signal?: AbortSignal;
}

export async function generateChoice(m: LoadedModel, seq: LlamaContextSequence, job: ChoiceJob): Promise<GeneratedChoice> {
  const { request } = job;
  // A JSON grammar ends with optional trailing newlines and names the run of them that ends it.
  const grammarStops = (job.grammar?.stopGenerationTriggers ?? []).map((t) => (typeof t === 'string' ? t : Array.isArray(t) ? t.filter((x) => typeof x === 'string').join('') : t.toString()));
  const stops = [...(request.stop ?? []), ...grammarStops.filter((t) => t !== '')];
  const holdBack = Math.max(0, ...stops.map((s) => s.length - 1));
  const wantTop = request.logprobs && request.top_logprobs > 0;
  const grammarEvaluationState = job.grammar ? new m.lib.LlamaGrammarEvaluationState({ model: m.model, grammar: job.grammar }) : undefined;
  const out: Token[] = [];
  const logprobs: number[] = [];
  const topLogprobs: TopLogprob[][] = [];
  let text = '';
  let emitted = 0;
  // The generator also ends by itself when the grammar is complete and only end-of-generation may follow.
  let finishReason: GeneratedChoice['finishReason'] = 'stop';
  const pending = job.prompt.slice(seq.nextTokenIndex);
  const trie = job.choices;
  let node = ByteTrie.ROOT;
  // Token probabilities cost a softmax over the whole vocabulary per token: only when logprobs are asked for.
  const steps = seq.evaluateWithMetadata(pending, { confidence: request.logprobs ? true : undefined, probabilities: wantTop ? true : undefined } as { confidence?: true; probabilities?: true }, {
    temperature: request.temperature,
    // OpenAI sampling has no top-k; node-llama-cpp's default of 40 would silently narrow every sample.
    topK: 0,
    topP: request.top_p,
    seed: job.seed,
    grammarEvaluationState,
    // Called before each sample: the bias follows the choice spelled so far.
    tokenBias: trie ? () => choiceBias(m, trie, node) : undefined,
    // A choice cannot loop, and a multiplicative penalty on lifted logits would skew which choice wins.
    repeatPenalty: trie ? undefined : repeatPenalty(request.penalties, out),
  });
  for await (const step of steps) {
    if (job.signal?.aborted) throw job.signal.reason ?? new Error('aborted');
    if (m.model.isEogToken(step.token)) {
      finishReason = 'stop';
      break;
    }
    out.push(step.token);
    if (trie) {
      node = trie.next(node, step.token);
      if (node < 0) throw new ChoiceEscaped();
    }
    if (request.logprobs) logprobs.push(Math.log(Math.max((step as { confidence?: number }).confidence ?? 0, Number.MIN_VALUE)));
    if (wantTop) topLogprobs.push(topOf(m, (step as { probabilities?: Map<Token, number> }).probabilities, request.top_logprobs));
    text = m.model.detokenize(out);
    const cut = firstStop(text, stops, emitted);
    if (cut !== undefined) {
      text = text.slice(0, cut);
      finishReason = 'stop';
      break;
    }
    // A complete choice nothing extends ends here, without a decode to sample end-of-generation.
    if (trie?.isLeaf(node)) break;
    if (out.length >= request.max_tokens) {
      finishReason = 'length';
      break;
    }
    emitted = emitFinal(job, text, emitted, holdBack);
  }
  if (trie && !trie.isTerminal(node)) throw new ChoiceEscaped();
  if (job.grammar?.trimWhitespaceSuffix) text = text.trimEnd();
  if (job.emit && text.length > emitted) job.emit(text.slice(emitted));
  return { text, tokens: out.map((t) => m.model.detokenize([t])), logprobs, topLogprobs: wantTop ? topLogprobs : undefined, finishReason };
}

/**
 * Small models fall into loops ("I'm sorry, I'm sorry, ...") that run to
 * max_tokens and leave an unparseable answer; llama.cpp's classic remedy is a
 * mild repetition penalty over the recent tokens. It is this backend's default
 * unless the request sets `repetition_penalty` (1 turns it off).
 */
export const DEFAULT_REPETITION_PENALTY = 1.1;
const PENALTY_WINDOW = 64;

function repeatPenalty(p: Penalties | undefined, out: Token[]): LlamaContextSequenceRepeatPenalty | undefined {
  const penalty = p?.repetition ?? DEFAULT_REPETITION_PENALTY;
  if (penalty === 1 && !p?.frequency && !p?.presence) return undefined;
  return { punishTokens: () => out.slice(-PENALTY_WINDOW), penalty, frequencyPenalty: p?.frequency, presencePenalty: p?.presence };
}

/** Where the first stop string starts, searching only where a new one can have appeared. */
function firstStop(text: string, stops: readonly string[], from: number): number | undefined {
  let cut: number | undefined;
  for (const s of stops) {
    const at = text.indexOf(s, Math.max(0, from - s.length));
    if (at >= 0 && (cut === undefined || at < cut)) cut = at;
  }
  return cut;
}

function emitFinal(job: ChoiceJob, text: string, emitted: number, holdBack: number): number {
  if (!job.emit) return emitted;
  let end = text.length - holdBack;
  // A token that ends inside a multi-byte character decodes to U+FFFD until the rest arrives.
  while (end > emitted && text.charCodeAt(end - 1) === 0xfffd) end--;
  if (end <= emitted) return emitted;
  job.emit(text.slice(emitted, end));
  return end;
}

function topOf(m: LoadedModel, probs: Map<Token, number> | undefined, k: number): TopLogprob[] {
  if (!probs) return [];
  return [...probs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([token, p]) => ({ token: m.model.detokenize([token]), logprob: Math.log(Math.max(p, Number.MIN_VALUE)) }));
}
