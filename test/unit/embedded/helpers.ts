import * as tf from '@tensorflow/tfjs-core';
import type { ChatMessage } from '../../../src/protocol/lm';
import { buildSequence } from '../../../src/embedded/chatTemplate';
import { resolveModelConfig, type ModelConfig } from '../../../src/embedded/config';
import { initParams, tokenLogprobs } from '../../../src/embedded/model';
import type { ModelHandle } from '../../../src/embedded/sampler';
import { initTfBackend } from '../../../src/embedded/tfBackend';
import { ByteTokenizer } from '../../../src/embedded/tokenizer';

export async function setupTf(): Promise<void> {
  await initTfBackend();
}

/**
 * Tiny on purpose: these tests check maths and plumbing, not capacity, and
 * must stay fast on a shared 2-core machine.
 */
export function tinyConfig(over: Partial<ModelConfig> = {}): ModelConfig {
  return resolveModelConfig({ contextLength: 64, maxPromptTokens: 48, nLayer: 2, nHead: 2, dModel: 16, mlpRatio: 2, seed: 7, ...over });
}

export function tinyHandle(over: Partial<ModelConfig> = {}): ModelHandle {
  const config = tinyConfig(over);
  return { params: initParams(config), config, tokenizer: new ByteTokenizer() };
}

export function disposeHandle(h: ModelHandle): void {
  tf.dispose([...h.params.values()]);
}

/** Training-forward logprobs of each completion token (text tokens, then end-of-turn). */
export function trainingLogprobs(h: ModelHandle, messages: ChatMessage[], completion: string): number[] {
  const seq = buildSequence(messages, completion, h.tokenizer, h.config.maxPromptTokens, h.config.contextLength);
  const T = seq.tokens.length;
  const t = tf.tidy(() => tokenLogprobs(h.params, h.config, Int32Array.from(seq.tokens), 1, T));
  const lp = t.dataSync();
  t.dispose();
  const out: number[] = [];
  for (let j = seq.completionStart; j < T; j++) out.push(lp[j - 1]);
  return out;
}

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function userMessage(text: string): ChatMessage[] {
  return [{ role: 'user', content: text }];
}
