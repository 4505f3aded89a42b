import type { LMConfig } from './types';

export const LM_DEFAULTS = { maxConcurrency: 8, maxRetries: 4, timeoutMs: 60_000 } as const;

/** The placeholder sent when no key is configured: local servers ignore it, the SDK requires one. */
export const NO_KEY_PLACEHOLDER = 'sk-no-key';

export type LMConfigInput = Partial<LMConfig> & Pick<LMConfig, 'baseUrl' | 'model'>;

/** Fills defaults, trims the trailing slash of the base URL and validates everything. */
export function resolveLMConfig(input: LMConfigInput): LMConfig {
  const config: LMConfig = {
    ...input,
    baseUrl: String(input.baseUrl ?? '').trim().replace(/\/+$/, ''),
    maxConcurrency: input.maxConcurrency ?? LM_DEFAULTS.maxConcurrency,
    maxRetries: input.maxRetries ?? LM_DEFAULTS.maxRetries,
    timeoutMs: input.timeoutMs ?? LM_DEFAULTS.timeoutMs,
  };
  // An escape hatch for every LM the engine makes (eval, optimize, MMGRPO sessions): the
  // node:http transport is the default, MMGRPO_HTTP_TRANSPORT=fetch goes back to the SDK's own.
  const transport = input.transport ?? (process.env.MMGRPO_HTTP_TRANSPORT?.trim() || undefined);
  if (transport !== undefined) config.transport = transport as LMConfig['transport']; // checked below
  validateLMConfig(config);
  return config;
}

export function validateLMConfig(c: LMConfig): void {
  if (!isHttpUrl(c.baseUrl)) {
    throw new Error(
      `LM base URL ${JSON.stringify(c.baseUrl)} is not an http(s) URL. ` +
        'Set it with --base-url or MMGRPO_BASE_URL, e.g. http://127.0.0.1:8000/v1.',
    );
  }
  if (typeof c.model !== 'string' || c.model.trim() === '') {
    throw new Error('No LM model name is set. Set it with --model or MMGRPO_MODEL (GET <base-url>/models lists them).');
  }
  checkInt('maxConcurrency', c.maxConcurrency, 1);
  checkInt('maxRetries', c.maxRetries, 0);
  checkInt('timeoutMs', c.timeoutMs, 1);
  if (c.transport !== undefined && c.transport !== 'http' && c.transport !== 'fetch') {
    throw new Error(
      `LM transport must be "http" or "fetch", got ${JSON.stringify(c.transport)}. ` +
        'Leave it (and MMGRPO_HTTP_TRANSPORT) unset for the default, http.',
    );
  }
  for (const k of ['promptPricePerMTok', 'completionPricePerMTok'] as const) {
    const v = c[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new Error(`LM config ${k} must be a number >= 0 (price per 1M tokens), got ${String(v)}.`);
    }
  }
}

function checkInt(name: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`LM config ${name} must be a whole number >= ${min}, got ${JSON.stringify(v)}.`);
  }
}

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * LM settings from the environment. MMGRPO_* wins; OPENAI_* are fallbacks so an existing
 * OpenAI setup works unchanged. Only variables that are set appear in the result.
 */
export function lmConfigFromEnv(env: Record<string, string | undefined> = process.env): Partial<LMConfig> {
  const pick = (...names: string[]) => names.map((n) => env[n]?.trim()).find((v) => v !== undefined && v !== '');
  const out: Partial<LMConfig> = {};
  const baseUrl = pick('MMGRPO_BASE_URL', 'OPENAI_BASE_URL');
  const model = pick('MMGRPO_MODEL');
  const apiKey = pick('MMGRPO_API_KEY', 'OPENAI_API_KEY');
  const cacheDir = pick('MMGRPO_CACHE_DIR');
  if (baseUrl) out.baseUrl = baseUrl;
  if (model) out.model = model;
  if (apiKey) out.apiKey = apiKey;
  if (cacheDir) out.cacheDir = cacheDir;
  const conc = pick('MMGRPO_MAX_CONCURRENCY');
  if (conc) out.maxConcurrency = envInt('MMGRPO_MAX_CONCURRENCY', conc);
  const timeout = pick('MMGRPO_TIMEOUT_MS');
  if (timeout) out.timeoutMs = envInt('MMGRPO_TIMEOUT_MS', timeout);
  return out;
}

function envInt(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`Environment variable ${name}=${JSON.stringify(text)} must be a whole number.`);
  return Number(text);
}
