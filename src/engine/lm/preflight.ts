import { findCode, scrubSecret } from './errors';
import { LMError, type LMConfig } from './types';

export interface PreflightResult {
  models: string[];
}

/**
 * What to tell the user to fix, per failure, appended to the message (each
 * starts with a space, or is empty). They depend on who calls: the flags that
 * set an eval's server are not the ones that set a prompt model or a backend.
 */
export interface PreflightHints {
  baseUrl: string;
  model: string;
  apiKey: string;
}

/** The hints for `mmgrpo eval` and the task model's own client settings. */
export const EVAL_PREFLIGHT_HINTS: PreflightHints = {
  baseUrl: ' Set the base URL with --base-url or MMGRPO_BASE_URL.',
  model: ' Set --model or MMGRPO_MODEL.',
  apiKey: ' Check MMGRPO_API_KEY.',
};

/**
 * Checks, before any run starts, that the server answers, accepts the key and
 * serves the model: one GET /models, which OpenAI, vLLM, Ollama and our
 * embedded server all implement. Failing here costs nothing; failing on the
 * first of a thousand rollouts wastes a run.
 */
export async function preflightLM(config: Pick<LMConfig, 'baseUrl' | 'model' | 'apiKey' | 'timeoutMs'>, fetchImpl: typeof fetch = fetch, hints: PreflightHints = EVAL_PREFLIGHT_HINTS): Promise<PreflightResult> {
  const url = `${config.baseUrl.replace(/\/+$/, '')}/models`;
  const headers: Record<string, string> = config.apiKey ? { Authorization: `Bearer ${config.apiKey}` } : {};
  let res: Response;
  try {
    res = await fetchImpl(url, { headers, signal: AbortSignal.timeout(Math.min(config.timeoutMs, 15_000)) });
  } catch (err) {
    const code = findCode(err) ?? (err as { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new LMError('unreachable', `Cannot reach the LM server at ${config.baseUrl} (${code}). Is it running?${hints.baseUrl}`);
  }
  if (res.status === 401 || res.status === 403) {
    throw new LMError('auth', `The LM server at ${config.baseUrl} rejected the API key (HTTP ${res.status}).${hints.apiKey}`, res.status);
  }
  if (res.status === 404) {
    throw new LMError('bad_request', `${url} does not exist (HTTP 404): the base URL is probably wrong; OpenAI-compatible servers usually serve under /v1, e.g. http://127.0.0.1:8000/v1.`, 404);
  }
  if (!res.ok) {
    const body = scrubSecret((await res.text().catch(() => '')).slice(0, 200), config.apiKey);
    throw new LMError('server', `The LM server at ${config.baseUrl} answered GET /models with HTTP ${res.status}${body ? `: ${body}` : ''}.`, res.status);
  }
  const models = await res.json().then(
    (j: unknown) => {
      const data = (j as { data?: { id?: unknown }[] } | null)?.data;
      return Array.isArray(data) ? data.map((m) => String(m?.id)) : [];
    },
    () => [] as string[],
  );
  if (models.length > 0 && !models.includes(config.model)) {
    const shown = models.slice(0, 10).join(', ') + (models.length > 10 ? ', ...' : '');
    throw new LMError('bad_request', `The LM server at ${config.baseUrl} does not serve model '${config.model}'. It serves: ${shown}.${hints.model}`);
  }
  return { models };
}
