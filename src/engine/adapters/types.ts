import type { ChatMessage } from '../../protocol/lm';
import type { Signature } from '../program/signature';

export interface FormatInput {
  signature: Signature;
  instructions: string;
  demos: Record<string, unknown>[];
  inputs: Record<string, unknown>;
}

export interface FormattedPrompt {
  messages: ChatMessage[];
  /** Extra request body fields, e.g. `{ guided_choice: [...] }` for constrained decoding. */
  extraBody?: Record<string, unknown>;
  /** The assistant is asked for a bare literal value instead of field markers. */
  choiceMode?: boolean;
  /** The assistant is asked for one JSON object of the output fields instead of field markers. */
  jsonMode?: boolean;
}

/** Turns a predictor call into chat messages and the completion back into typed outputs. */
export interface Adapter {
  format(input: FormatInput): FormattedPrompt;
  /** Throws AdapterParseError when the completion does not hold every output field. */
  parse(signature: Signature, completion: string, prompt?: FormattedPrompt): Record<string, unknown>;
  /** The assistant answer this adapter expects for these outputs (used for demos). */
  formatAnswer?(signature: Signature, outputs: Record<string, unknown>): string;
}
