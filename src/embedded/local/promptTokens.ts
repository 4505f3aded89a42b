import type { ChatHistoryItem, ChatWrapper, Token } from 'node-llama-cpp';
import type { ChatMessage } from '../../protocol/lm';
import type { GenerateRequest } from '../backend';
import type { LoadedModel } from './llamaRuntime';

/**
 * The exact tokens a request puts in front of the model: chat messages through
 * the model's own chat template (read from the GGUF, e.g. ChatML for SmolLM2),
 * ending with the assistant's turn opened; a raw completions prompt as text,
 * after the BOS token when the model expects one.
 */

export function chatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const items: ChatHistoryItem[] = messages.map((m) =>
    m.role === 'assistant' ? { type: 'model', response: [m.content] } : m.role === 'system' ? { type: 'system', text: m.content } : { type: 'user', text: m.content },
  );
  items.push({ type: 'model', response: [] });
  return items;
}

export function promptTokens(m: LoadedModel, wrapper: ChatWrapper, request: GenerateRequest): Token[] {
  if (request.prompt !== undefined) {
    const text = m.model.tokenize(request.prompt);
    const bos = m.model.tokens.bos;
    return m.model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...text] : text;
  }
  if (!request.messages) throw new Error('A generate request needs messages or a prompt.');
  const { contextText } = wrapper.generateContextState({ chatHistory: chatHistory(request.messages) });
  return contextText.tokenize(m.model.tokenizer);
}
