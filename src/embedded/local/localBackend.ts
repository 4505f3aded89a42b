import { basename } from 'node:path';
import type { ChatWrapper, LlamaGrammar, Token } from 'node-llama-cpp';
import { deriveSeed } from '../rng';
import {
  BackendRequestError,
  type BackendFeatures,
  type EmbeddedBackend,
  type GeneratedChoice,
  type GenerateRequest,
  type GenerateResult,
  type OnDelta,
  type TrainStepMetrics,
} from '../backend';
import { generateChoice } from './generateChoice';
import { ChoiceEscaped, choiceTrieFor, type TokenChoiceTrie } from './choiceTokens';
import { GrammarCache } from './grammars';
import { disposeModel, loadModel, type LoadedModel, type RuntimeOptions } from './llamaRuntime';
import { promptTokens } from './promptTokens';
import { SequencePool } from './sequencePool';

/**
 * A real pretrained model (any GGUF file) behind the embedded server's
 * backend interface, through llama.cpp on the CPU. It serves inference only:
 * the weights are quantized and llama.cpp has no training, so weight training
 * stays with the tiny embedded model and remote (Arbor) trainers.
 */

export interface LocalBackendOptions extends RuntimeOptions {
  /** Name clients send as `model` (default: the file name without .gguf). */
  modelName?: string;
}

const INFERENCE_ONLY =
  'The local backend serves a quantized GGUF model for inference only; weight training needs --backend embedded (the tiny CPU model) or --backend remote (an Arbor trainer).';

export async function createLocalBackend(options: LocalBackendOptions): Promise<LocalBackend> {
  const loaded = await loadModel(options);
  return new LocalBackend(loaded, options.modelName ?? basename(options.modelPath).replace(/\.gguf$/i, ''));
}

export class LocalBackend implements EmbeddedBackend {
  readonly features: BackendFeatures = { training: false, logprobs: true, responseFormat: true, penalties: true };
  private readonly pool: SequencePool;
  private readonly grammars: GrammarCache;
  private readonly wrapper: ChatWrapper;
  private seedCounter = 0;

  constructor(
    private readonly m: LoadedModel,
    readonly modelName: string,
  ) {
    this.pool = new SequencePool(m.context);
    this.grammars = new GrammarCache(m);
    this.wrapper = m.lib.resolveChatWrapper(m.model);
  }

  async generate(request: GenerateRequest, onDelta?: OnDelta, signal?: AbortSignal): Promise<GenerateResult> {
    const prompt = promptTokens(this.m, this.wrapper, request);
    const room = this.m.sequenceContext - prompt.length;
    if (room < 1) {
      const field = request.prompt !== undefined ? 'prompt' : 'messages';
      throw new BackendRequestError(`The prompt is ${prompt.length} tokens; this model holds ${this.m.sequenceContext} per request. Shorten it (fewer demos, shorter inputs).`, field);
    }
    const trie = byBias(request) ? choiceTrieFor(this.m, request.guidedChoice!) : undefined;
    const grammar = trie ? undefined : await this.grammarFor(request);
    // Completions end where the context does rather than silently shifting the prompt out of it.
    const bounded = { ...request, max_tokens: Math.min(this.tokensNeeded(request), room) };
    const base = request.seed ?? this.nextSeed();
    const choices = await Promise.all(
      Array.from({ length: request.n }, (_, index) => this.choice(bounded, { prompt, seed: deriveSeed(base, index), grammar, choices: trie, index, onDelta, signal })),
    );
    return { choices, promptTokens: prompt.length, completionTokens: choices.reduce((sum, c) => sum + c.tokens.length, 0) };
  }

  private async choice(
    request: GenerateRequest,
    o: { prompt: Token[]; seed: number; grammar?: LlamaGrammar; choices?: TokenChoiceTrie; index: number; onDelta?: OnDelta; signal?: AbortSignal },
  ): Promise<GeneratedChoice> {
    const seq = await this.pool.acquire(o.prompt, o.signal);
    try {
      const emit = o.onDelta ? (text: string) => o.onDelta!(o.index, text) : undefined;
      const job = { request, prompt: o.prompt, seed: o.seed, grammar: o.grammar, choices: o.choices, emit, signal: o.signal };
      try {
        return await generateChoice(this.m, seq, job);
      } catch (err) {
        if (!(err instanceof ChoiceEscaped)) throw err;
        // Nothing was emitted for an incomplete choice (it is not final until it is a choice).
        return await generateChoice(this.m, seq, { ...job, choices: undefined, grammar: await this.grammarFor(request) });
      }
    } finally {
      this.pool.release(seq);
    }
  }

  private async grammarFor(request: GenerateRequest): Promise<LlamaGrammar | undefined> {
    try {
      return await this.grammars.forRequest(request);
    } catch (err) {
      const param = request.guidedChoice ? 'guided_choice' : 'response_format';
      throw new BackendRequestError(`The model could not build a decoding grammar for \`${param}\`: ${(err as Error).message}`, param);
    }
  }

  /**
   * A guided completion must be able to spell its longest choice, whatever max_tokens
   * says (as on the tiny model). The grammar may reach it through a non-canonical
   * split ("to", "p", "_", ...), so the bound is its UTF-8 length, which no split exceeds.
   */
  private tokensNeeded(request: GenerateRequest): number {
    if (!request.guidedChoice) return request.max_tokens;
    const longest = Math.max(...request.guidedChoice.map((c) => Buffer.byteLength(c, 'utf8')));
    return Math.max(request.max_tokens, longest + 1);
  }

  // Unseeded requests still get distinct, reproducible-per-process streams.
  private nextSeed(): number {
    return deriveSeed(0x5eed, this.seedCounter++);
  }

  grpoStep(): Promise<TrainStepMetrics> {
    return Promise.reject(new BackendRequestError(INFERENCE_ONLY));
  }

  sft(): Promise<{ loss: number; steps: number }> {
    return Promise.reject(new BackendRequestError(INFERENCE_ONLY));
  }

  setReference(): Promise<void> {
    return Promise.reject(new BackendRequestError(INFERENCE_ONLY));
  }

  saveCheckpoint(): Promise<void> {
    return Promise.reject(new BackendRequestError(INFERENCE_ONLY));
  }

  loadCheckpoint(): Promise<void> {
    return Promise.reject(new BackendRequestError(INFERENCE_ONLY));
  }

  dispose(): Promise<void> {
    return disposeModel(this.m);
  }
}

/** Choices by logit bias unless penalties were asked for (they would act on the lifted logits): then by grammar. */
function byBias(request: GenerateRequest): boolean {
  const p = request.penalties;
  return request.guidedChoice !== undefined && p?.repetition === undefined && !p?.frequency && !p?.presence;
}
