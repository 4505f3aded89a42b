import type { LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp';

/**
 * The context's sequences, lent out one per generated choice. A returned
 * sequence keeps its KV cache, and the next borrower is the free sequence
 * whose cached tokens share the longest prefix with its prompt: the G
 * rollouts of one input, and every call of one module, start with the same
 * system prompt, which is then evaluated once instead of per call.
 */
export class SequencePool {
  private readonly free: LlamaContextSequence[] = [];
  private readonly waiting: Array<(seq: LlamaContextSequence) => void> = [];

  constructor(context: LlamaContext) {
    for (let i = 0; i < context.totalSequences; i++) this.free.push(context.getSequence());
  }

  async acquire(prompt: readonly Token[], signal?: AbortSignal): Promise<LlamaContextSequence> {
    const seq = this.free.length > 0 ? this.takeBestMatch(prompt) : await this.wait(signal);
    await reuseCommonPrefix(seq, prompt);
    return seq;
  }

  release(seq: LlamaContextSequence): void {
    const next = this.waiting.shift();
    if (next) next(seq);
    else this.free.push(seq);
  }

  private takeBestMatch(prompt: readonly Token[]): LlamaContextSequence {
    let best = 0;
    let bestShared = -1;
    this.free.forEach((seq, i) => {
      const shared = seq.compareContextTokens(prompt as Token[]).firstDifferentIndex;
      if (shared > bestShared) [best, bestShared] = [i, shared];
    });
    return this.free.splice(best, 1)[0];
  }

  private wait(signal?: AbortSignal): Promise<LlamaContextSequence> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiting.indexOf(take);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      const take = (seq: LlamaContextSequence): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(seq);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(take);
    });
  }
}

/**
 * Drops the cached tokens after the prefix shared with `prompt`, always
 * keeping at least the last prompt token to evaluate (its logits start the
 * completion). The caller evaluates `prompt.slice(seq.nextTokenIndex)`.
 */
async function reuseCommonPrefix(seq: LlamaContextSequence, prompt: readonly Token[]): Promise<void> {
  const shared = Math.min(seq.compareContextTokens(prompt as Token[]).firstDifferentIndex, prompt.length - 1);
  if (shared < seq.nextTokenIndex) await seq.eraseContextTokenRanges([{ start: shared, end: seq.nextTokenIndex }]);
}
