// Wire-level types shared by the engine, the embedded server and the editor.
// Types only: this folder imports nothing.

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface TopLogprob {
  token: string;
  logprob: number;
}

/** Logprob of one sampled token, as returned by an OpenAI-compatible server. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  top?: TopLogprob[];
}
