import type { ChatMessage, TokenLogprob, TokenUsage } from './lm';

/** A module output that could not be parsed: which output fields did parse. */
export interface ParseFailureInfo {
  message: string;
  parsedFields: string[];
  missingFields: string[];
  /** parsedFields.length / (number of output fields); drives partial credit. */
  fractionParsed: number;
}

/** One predictor invocation inside one program run (one rollout). */
export interface ModuleCallRecord {
  /** Stable dotted name of the predictor, e.g. `hops[1].summarize`. */
  module: string;
  /** 0-based count of earlier calls to the same module within this run. */
  invocation: number;
  /** Messages exactly as sent to the LM (demos included). */
  messages: ChatMessage[];
  /** The sampled completion text, verbatim; null when no completion arrived. */
  completion: string | null;
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parseError?: ParseFailureInfo;
  /** Transport or other error of this call (not a parse failure). */
  error?: string;
  logprobs?: TokenLogprob[];
  usage?: TokenUsage;
  latencyMs: number;
  model?: string;
  /** Sampling settings actually used for this call. */
  sampling?: Record<string, unknown>;
}
