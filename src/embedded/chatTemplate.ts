import type { ChatMessage } from '../protocol/lm';
import { ByteTokenizer, SPECIAL } from './tokenizer';

const ROLE_TOKEN: Record<ChatMessage['role'], number> = {
  system: SPECIAL.system,
  user: SPECIAL.user,
  assistant: SPECIAL.assistant,
};

/**
 * `<|role|> content <|end|>` per message, then `<|assistant|>` as the
 * generation prompt. Role markers are special ids, so message text can never
 * forge a turn boundary.
 */
export function renderPrompt(messages: ChatMessage[], tok: ByteTokenizer): number[] {
  const ids: number[] = [];
  messages.forEach((m, i) => {
    const role = ROLE_TOKEN[m.role];
    if (role === undefined) throw new Error(`messages[${i}].role is "${String(m.role)}"; expected system, user or assistant.`);
    if (typeof m.content !== 'string') throw new Error(`messages[${i}].content must be a string.`);
    ids.push(role, ...tok.encode(m.content), SPECIAL.endOfTurn);
  });
  ids.push(SPECIAL.assistant);
  return ids;
}

/** Prompt ids of a generate request: chat messages through the template, or a raw /v1/completions prompt as bytes. */
export function requestPrompt(request: { messages?: ChatMessage[]; prompt?: string }, tok: ByteTokenizer): number[] {
  if (request.prompt !== undefined) return tok.encode(request.prompt);
  if (!request.messages) throw new Error('A generate request needs messages or a prompt.');
  return renderPrompt(request.messages, tok);
}

/** Completion tokens as trained: the text's bytes followed by end-of-turn. */
export function renderCompletion(completion: string, tok: ByteTokenizer): number[] {
  return [...tok.encode(completion), SPECIAL.endOfTurn];
}

/**
 * Long prompts keep their END: the generation prompt and the user's message
 * sit there, while the (per-task constant) system text at the start is what a
 * small context can best afford to lose. Sampler and trainer share this rule,
 * so the model is trained on exactly the context it sampled from.
 */
export function fitPrompt(promptIds: number[], maxPromptTokens: number): number[] {
  return promptIds.length <= maxPromptTokens ? promptIds : promptIds.slice(promptIds.length - maxPromptTokens);
}

export interface TrainingSequence {
  /** prompt + completion + end-of-turn, cut to the context length. */
  tokens: number[];
  /** Index of the first completion token in `tokens`. */
  completionStart: number;
  /** Completion tokens kept (those beyond the context are dropped). */
  completionLength: number;
}

export function buildSequence(
  messages: ChatMessage[],
  completion: string,
  tok: ByteTokenizer,
  maxPromptTokens: number,
  contextLength: number,
): TrainingSequence {
  const prompt = fitPrompt(renderPrompt(messages, tok), maxPromptTokens);
  const full = [...prompt, ...renderCompletion(completion, tok)].slice(0, contextLength);
  return { tokens: full, completionStart: prompt.length, completionLength: full.length - prompt.length };
}
