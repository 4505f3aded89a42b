import { BYTE_VOCAB_SIZE } from './tokenizer';

/** Shape and init of the tiny decoder-only transformer (nanoGPT naming). */
export interface ModelConfig {
  /** Token vocabulary size (byte tokenizer: 261). */
  vocabSize: number;
  /** Maximum sequence length (learned position table size). */
  contextLength: number;
  /** Prompts longer than this keep only their last tokens; the rest of the context is for the completion. */
  maxPromptTokens: number;
  nLayer: number;
  nHead: number;
  /** Residual width; must be divisible by nHead. */
  dModel: number;
  /** MLP hidden width = mlpRatio * dModel. */
  mlpRatio: number;
  /** Share the token embedding with the output head (fewer parameters to learn from scratch). */
  tiedEmbeddings: boolean;
  /** Std of the normal init of weight matrices (residual projections are further scaled by 1/sqrt(2 nLayer)). */
  initStd: number;
  seed: number;
}

/**
 * Default sized for a 2-core laptop: see bench/embeddedModel.ts for the
 * measured tokens/s. Width 128 is the smallest at which the WASM matmuls,
 * not per-op overhead and elementwise passes, dominate a train step; 2 layers
 * and a 512-byte context keep a GRPO step on a few dozen ~500-byte
 * prompts in the tens of seconds.
 */
export const DEFAULT_MODEL_CONFIG: ModelConfig = {
  vocabSize: BYTE_VOCAB_SIZE,
  contextLength: 512,
  maxPromptTokens: 384,
  nLayer: 2,
  nHead: 4,
  dModel: 128,
  mlpRatio: 4,
  tiedEmbeddings: true,
  initStd: 0.02,
  seed: 0,
};

export function resolveModelConfig(partial: Partial<ModelConfig> = {}): ModelConfig {
  const c: ModelConfig = { ...DEFAULT_MODEL_CONFIG, ...partial };
  if (partial.contextLength !== undefined && partial.maxPromptTokens === undefined) {
    c.maxPromptTokens = Math.max(1, Math.floor((c.contextLength * 3) / 4));
  }
  validateModelConfig(c);
  return c;
}

export function validateModelConfig(c: ModelConfig): void {
  const positiveInts: (keyof ModelConfig)[] = ['vocabSize', 'contextLength', 'maxPromptTokens', 'nLayer', 'nHead', 'dModel', 'mlpRatio'];
  for (const key of positiveInts) {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new Error(`Model config "${key}" must be a positive integer, got ${JSON.stringify(v)}.`);
    }
  }
  if (c.dModel % c.nHead !== 0) {
    throw new Error(`Model config: dModel (${c.dModel}) must be divisible by nHead (${c.nHead}); pick e.g. nHead ${largestDivisor(c.dModel, c.nHead)}.`);
  }
  if (c.maxPromptTokens >= c.contextLength) {
    throw new Error(`Model config: maxPromptTokens (${c.maxPromptTokens}) must be below contextLength (${c.contextLength}) to leave room for the completion.`);
  }
  if (!(c.initStd > 0)) throw new Error(`Model config "initStd" must be > 0, got ${c.initStd}.`);
  if (!Number.isInteger(c.seed)) throw new Error(`Model config "seed" must be an integer, got ${c.seed}.`);
}

function largestDivisor(n: number, atMost: number): number {
  for (let h = atMost; h > 1; h--) if (n % h === 0) return h;
  return 1;
}
