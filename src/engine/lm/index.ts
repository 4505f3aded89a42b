import { resolveLMConfig, type LMConfigInput } from './config';
import { OpenAICompatibleLM, type LMClientDeps } from './openaiClient';

export * from './types';
export { OpenAICompatibleLM, buildBody, mapCompletion, type LMClientDeps } from './openaiClient';
export { Limiter, type Release } from './limiter';
export { UsageMeter, costOf, type UsageTotals, type UsagePrices, type UsageRecord, type UsageListener } from './usage';
export { ResponseCache, cacheKey, canonicalJson, type CachedAnswer } from './cache';
export {
  withRetries,
  retryAfterFailure,
  backoffDelayMs,
  parseRetryAfterMs,
  mulberry32,
  realSleep,
  RetriesExhausted,
  DEFAULT_BACKOFF,
  type Rng,
  type Sleep,
  type BackoffOptions,
  type RetryOptions,
} from './retry';
export { scrubSecret } from './errors';
export { LM_DEFAULTS, NO_KEY_PLACEHOLDER, lmConfigFromEnv, resolveLMConfig, validateLMConfig, type LMConfigInput } from './config';

/** An OpenAI-compatible client with defaults filled in (maxConcurrency 8, maxRetries 4, timeoutMs 60000). */
export function createLM(config: LMConfigInput, deps?: LMClientDeps): OpenAICompatibleLM {
  return new OpenAICompatibleLM(resolveLMConfig(config), deps);
}
