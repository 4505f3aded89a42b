import type { ChatMessage, TopLogprob } from '../protocol/lm';
import { MmgrpoError } from '../protocol/errors';
import type { GRPOLossType, StepMetrics } from '../protocol/trainer';

/**
 * The contract between the embedded HTTP server and the tiny model that sits
 * behind it. The model side (model, tokenizer, sampler, trainer) implements
 * it; the server side only ever talks to this interface, so it can run the
 * model in a worker thread and tests can substitute a fault-injecting double.
 */

/** A JSON Schema (the subset constrained decoding honours is documented per backend). */
export type JsonSchema = Record<string, unknown>;

/**
 * Output constraint beyond guided choice: `json_object` = any JSON object,
 * `json_schema` = a value valid under `schema` (OpenAI's strict structured outputs).
 */
export type ResponseFormat = { type: 'json_object' } | { type: 'json_schema'; name: string; schema: JsonSchema };

/**
 * A chat request (`messages`, rendered with the model's chat template) or a raw
 * text completion (`prompt`, /v1/completions: no template). Exactly one is set.
 */
export interface GenerateRequest {
  messages?: ChatMessage[];
  /** Raw prompt text for /v1/completions. */
  prompt?: string;
  temperature: number;
  top_p: number;
  max_tokens: number;
  stop?: string[];
  n: number;
  seed?: number;
  logprobs: boolean;
  /** How many alternatives per position to return (0 = none). */
  top_logprobs: number;
  /** Constrain the completion to exactly one of these strings (token-trie mask). */
  guidedChoice?: string[];
  /** Constrain the completion to JSON (by constrained decoding, never by post-hoc checks). */
  responseFormat?: ResponseFormat;
  /** Penalties on tokens already generated, where the backend has them (features.penalties). */
  penalties?: Penalties;
}

/**
 * OpenAI's `presence_penalty` / `frequency_penalty` (additive, -2..2) and vLLM's
 * `repetition_penalty` (multiplicative, 1 = off); only the ones a request sets.
 */
export interface Penalties {
  presence?: number;
  frequency?: number;
  repetition?: number;
}

/**
 * Streaming: called with each piece of newly generated text of choice `index`, in
 * order, as it is sampled (a backend that cannot stream calls it once per token
 * after the fact). The pieces of a choice concatenate to its final `text`.
 */
export type OnDelta = (index: number, text: string) => void;

export interface GeneratedChoice {
  text: string;
  /** Decoded text of each sampled token, in order. */
  tokens: string[];
  /**
   * Logprob of each sampled token under the sampling distribution's model (before temperature).
   * A backend may leave it empty when the request did not ask for logprobs (they cost a softmax per token).
   */
  logprobs: number[];
  topLogprobs?: TopLogprob[][];
  finishReason: 'stop' | 'length';
}

export interface GenerateResult {
  choices: GeneratedChoice[];
  promptTokens: number;
  completionTokens: number;
}

/** The loss reductions the trainer protocol names (one list, in protocol/trainer.ts). */
export type LossType = GRPOLossType;

/** Trainer settings for one GRPO job (Arbor's trainer_config names where they exist). */
export interface GrpoTrainConfig {
  learning_rate: number;
  beta: number;
  epsilon_low: number;
  epsilon_high: number;
  loss_type: LossType;
  scale_rewards: boolean;
  max_grad_norm: number;
  weight_decay: number;
  /** Optimizer iterations over each batch (> 1 makes clipping live). */
  num_iterations: number;
  max_completion_length: number;
  temperature: number;
}

export interface GrpoMember {
  messages: ChatMessage[];
  completion: string;
  reward: number;
  /** Precomputed advantage; when present it overrides group normalization. */
  advantage?: number;
  /** Per-token logprobs of the completion under the sampling policy. */
  logprobs?: number[];
}

/** The backend's step report is the protocol's, without the server's batch bookkeeping. */
export type TrainStepMetrics = StepMetrics;

export interface SftExample {
  messages: ChatMessage[];
  completion: string;
}

export interface SftConfig {
  learning_rate: number;
  epochs: number;
  batch_size: number;
  seed: number;
}

export interface EmbeddedBackend {
  readonly modelName: string;
  /** What this backend can do; the server refuses requests that need more, naming the field. */
  readonly features?: BackendFeatures;
  generate(request: GenerateRequest, onDelta?: OnDelta, signal?: AbortSignal): Promise<GenerateResult>;
  /** One GRPO update on groups of completions; afterwards generate() uses the new weights. */
  grpoStep(groups: GrpoMember[][], config: GrpoTrainConfig): Promise<TrainStepMetrics>;
  sft(examples: SftExample[], config: SftConfig): Promise<{ loss: number; steps: number }>;
  /** Freeze the current weights as the KL reference policy. */
  setReference(): Promise<void>;
  /** Atomic save of weights + tokenizer + config into `dir`. */
  saveCheckpoint(dir: string): Promise<void>;
  loadCheckpoint(dir: string, options?: LoadCheckpointOptions): Promise<void>;
  dispose(): Promise<void>;
}

export interface BackendFeatures {
  /** grpoStep / sft / checkpoints work (the local GGUF backend only serves inference). */
  training: boolean;
  /** Logprobs of sampled tokens (and top alternatives) can be reported. */
  logprobs: boolean;
  /** response_format json_schema / json_object are enforced by constrained decoding. */
  responseFormat: boolean;
  /** presence_penalty, frequency_penalty and repetition_penalty are applied. */
  penalties?: boolean;
}

/**
 * A request this backend cannot serve as asked (prompt longer than the
 * context, a schema outside what its constrained decoding supports): the
 * client's mistake, answered with a 400 naming `param`, not a 500.
 */
export class BackendRequestError extends MmgrpoError {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'BackendRequestError';
  }
}

export interface LoadCheckpointOptions {
  /** Also restore the training state saved with the weights (optimizer moments, KL reference): a resumed run. */
  training?: boolean;
}
