// Trainer protocol (Arbor-compatible GRPO server), wire types only.
// Field names are Arbor's, snake_case as sent on the wire. Fields marked
// "extension" are ours: plain Arbor rejects them, so clients send them only to
// a server whose capabilities advertise them.

import type { ChatMessage, TopLogprob } from './lm';

/** GRPO loss normalizations (TRL/Arbor `loss_type`); the one list the engine, its config and the embedded trainer use. */
export const GRPO_LOSS_TYPES = ['grpo', 'bnpo', 'dr_grpo', 'dapo'] as const;
export type GRPOLossType = (typeof GRPO_LOSS_TYPES)[number];

export interface LoraConfig {
  r?: number;
  lora_alpha?: number;
  target_modules?: string[] | string;
  lora_dropout?: number;
}

/** Arbor's trainer_config; every key optional except num_generations. `null` means "server default". */
export interface GRPOTrainerConfig {
  temperature?: number | null;
  beta?: number | null;
  num_generations: number;
  per_device_train_batch_size?: number | null;
  learning_rate?: number | null;
  gradient_accumulation_steps?: number | null;
  gradient_checkpointing?: boolean | null;
  lr_scheduler_type?: string | null;
  max_prompt_length?: number | null;
  max_completion_length?: number | null;
  bf16?: boolean | null;
  scale_rewards?: boolean | null;
  max_grad_norm?: number | null;
  report_to?: string | string[] | null;
  log_completions?: boolean | null;
  logging_steps?: number | null;
  mask_truncated_completions?: boolean | null;
  max_seq_len?: number | null;
  lora_config?: LoraConfig | null;
  max_steps?: number | null;
  warmup_steps?: number | null;
  loss_type?: GRPOLossType | null;
  weight_decay?: number | null;
  /** Extension (TRL name): lower clip range of the policy ratio. */
  epsilon?: number | null;
  /** Extension (TRL name): upper clip range ("clip higher"); defaults to epsilon. */
  epsilon_high?: number | null;
  /** Extension (TRL name): optimizer iterations per batch; > 1 makes clipping live. */
  num_iterations?: number | null;
}

/** The trainer_config keys a plain Arbor accepts (anything else is one of our extensions). */
export type ArborTrainerConfigKey = Exclude<keyof GRPOTrainerConfig, 'epsilon' | 'epsilon_high' | 'num_iterations'>;

interface InferenceConfig {
  model: string;
  max_seq_len: number;
  num_gpus?: number | null;
}

interface GpuConfig {
  type: string;
  multi?: { num_inference_gpus: number; num_training_gpus: number };
}

export interface GRPOInitializeRequest {
  model: string;
  run_name?: string | null;
  trainer_config: GRPOTrainerConfig;
  inference_config: InferenceConfig;
  gpu_config?: GpuConfig | null;
  /** Extension: validate the request and answer without creating a job (needs capabilities.dry_run). */
  dry_run?: boolean;
}

interface GRPOCompletion {
  role: 'assistant';
  content: string;
}

interface GRPOGroupMember {
  messages: ChatMessage[];
  completion: GRPOCompletion;
  reward: number;
  /** Extension: precomputed advantage; overrides the server's group normalization. */
  advantage?: number;
  /** Extension: per-token logprobs of the completion under the sampling policy. */
  logprobs?: number[];
}

export type GRPOGroup = GRPOGroupMember[];

/** Extension: supervised warm start before GRPO (needs capabilities.sft). */
export interface SftRequest {
  model: string;
  examples: { messages: ChatMessage[]; completion: string }[];
  learning_rate?: number;
  epochs?: number;
  batch_size?: number;
  seed?: number;
}

export interface SftResponse {
  loss: number;
  steps: number;
  examples: number;
}

export interface GRPOStepRequest {
  job_id: string;
  model: string;
  batch_id: number;
  batch: GRPOGroup[];
  /** Extension: client-side metrics of this step, stored with the trainer's and echoed back. */
  metrics?: Record<string, number>;
}

export interface GRPOCheckpointRequest {
  job_id: string;
  checkpoint_name: string;
  metadata?: Record<string, unknown> | null;
}

export interface GRPOCheckpointInfo {
  checkpoint_name: string;
  checkpoint_dir: string;
  global_step: number;
  metadata: Record<string, unknown>;
  /** ISO 8601. */
  timestamp: string;
}

export type GRPOJobStatus = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** What one optimizer step reports, as a trainer backend computes it. */
export interface StepMetrics {
  loss: number;
  kl: number;
  clip_ratio: number;
  grad_norm: number;
  tokens: number;
  reward_mean: number;
  reward_std: number;
}

/** Trainer-side health of one step (extension), plus whatever the client sent in `metrics`. */
export interface GRPOStepMetrics extends StepMetrics {
  batch_id: number;
  global_step: number;
  learning_rate: number;
  client?: Record<string, number>;
}

/** What a trainer accepts beyond plain Arbor (GET /v1/capabilities, or in GRPOStatus). */
export interface TrainerCapabilities {
  /** Per-member `advantage` in step batches. */
  advantage: boolean;
  /** Per-member `logprobs` in step batches. */
  logprobs: boolean;
  /** Step `metrics` accepted, `last_step_metrics` returned. */
  metrics: boolean;
  /** `dry_run` in initialize. */
  dry_run?: boolean;
  /** Groups of 2..num_generations members when every member carries `advantage`. */
  variable_group_size?: boolean;
  /** POST fine_tuning/sft: supervised warm start on {messages, completion} examples. */
  sft?: boolean;
  /** trainer_config keys accepted beyond Arbor's (e.g. epsilon, num_iterations). */
  trainer_config_extensions?: string[];
  /** Extension: false when the server serves inference only (GRPO/SFT routes refuse). Absent = true. */
  training?: boolean;
  /** Extension: what the OpenAI-compatible inference routes can do. */
  inference?: InferenceCapabilities;
}

/** Inference features of an embedded server (GET /v1/capabilities, `inference`). */
export interface InferenceCapabilities {
  /** `stream: true` (server-sent events) on chat and text completions. */
  stream: boolean;
  /** `response_format` json_object / json_schema enforced by constrained decoding. */
  response_format: boolean;
  /** Token logprobs (and top alternatives). */
  logprobs: boolean;
  /** POST /v1/completions (raw prompt, no chat template). */
  completions: boolean;
  /** presence_penalty, frequency_penalty and repetition_penalty are applied. */
  penalties: boolean;
}

export interface GRPOStatus {
  job_id: string;
  status: GRPOJobStatus | (string & {});
  current_model: string;
  checkpoints: Record<string, GRPOCheckpointInfo>;
  last_checkpoint: string | null;
  pending_batch_ids: number[];
  /** Extension. */
  capabilities?: TrainerCapabilities;
  /** Extension. */
  last_step_metrics?: GRPOStepMetrics | null;
  /** Extension: steps trained so far. */
  global_step?: number;
}

// ---- OpenAI-compatible inference (the subset the embedded server serves) ----

export interface ChatCompletionTokenLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs: Array<TopLogprob & { bytes: number[] | null }>;
}

type FinishReason = 'stop' | 'length';

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

interface ChatCompletionChoice {
  index: number;
  message: { role: 'assistant'; content: string };
  finish_reason: FinishReason;
  logprobs: { content: ChatCompletionTokenLogprob[] } | null;
}

export interface ChatCompletionResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage: CompletionUsage;
}

/** One server-sent event of a streamed chat completion (`data: {chunk}`). */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChatCompletionChunkChoice[];
  /** null on every chunk but the last when `stream_options.include_usage`; absent otherwise. */
  usage?: CompletionUsage | null;
}

export interface ChatCompletionChunkChoice {
  index: number;
  /** The first chunk of a choice carries the role; later ones pieces of content. */
  delta: { role?: 'assistant'; content?: string };
  finish_reason: FinishReason | null;
  logprobs: { content: ChatCompletionTokenLogprob[] } | null;
}

/** Legacy /v1/completions logprobs (`logprobs: <int>` in the request). */
export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: number[];
  /** Per position: the top alternatives and the sampled token, token -> logprob. */
  top_logprobs: Array<Record<string, number>>;
  /** Character offset of each token, counted from the start of the prompt. */
  text_offset: number[];
}

export interface CompletionChoice {
  index: number;
  text: string;
  finish_reason: FinishReason | null;
  logprobs: CompletionLogprobs | null;
}

/** A /v1/completions answer, and (with `finish_reason: null` until the end) each streamed chunk. */
export interface CompletionResponse {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: CompletionChoice[];
  usage?: CompletionUsage | null;
}

export interface ModelListResponse {
  object: 'list';
  data: Array<{ id: string; object: 'model'; created: number; owned_by: string }>;
}
