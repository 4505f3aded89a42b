import { isHttpUrl } from '../../lm/config';
import { ConfigError, rejectUnknown, stripUndefined } from '../mmgrpo/config';

/** Settings of every prompt-optimization (`p`) stage of a composed run. */
export interface PromptStageSettings {
  /** TPE trials per p stage. */
  trials: number;
  /** Examples per trial minibatch (capped at the evaluation set's size). */
  minibatchSize: number;
  /** Fully evaluate the most promising candidate every this many trials (and at the end). */
  fullEvalEvery: number;
  /** At most this many demos per set: passing traces first, labeled examples fill the rest. */
  maxDemos: number;
  /** Candidate demo sets per module, the empty set included. */
  demoSets: number;
  /** A teacher trace becomes a demo when the metric is >= this. */
  threshold: number;
  /** Instructions the prompt model proposes per module (besides the current one); 0 = no proposal. */
  instructionCandidates: number;
  /** Sampling temperature of the proposal calls (> 0, so proposals differ). */
  proposalTemperature: number;
  /**
   * Model that proposes instructions, on an OpenAI-compatible server at
   * `promptBaseUrl`. Absent: a remote backend's task model proposes; the
   * embedded model cannot, so proposal is skipped. The API key is never a
   * setting (settings are saved with the run): it comes from the environment.
   */
  promptModel?: string;
  /** Base URL (e.g. http://127.0.0.1:8000/v1) of the prompt model's server. */
  promptBaseUrl?: string;
}

export const PROMPT_STAGE_DEFAULTS: PromptStageSettings = {
  trials: 12,
  minibatchSize: 25,
  fullEvalEvery: 4,
  maxDemos: 2,
  demoSets: 6,
  threshold: 1,
  instructionCandidates: 4,
  proposalTemperature: 1,
};

/** Every prompt stage setting, the ones without a default included. */
const KNOWN: Record<keyof PromptStageSettings, unknown> = { ...PROMPT_STAGE_DEFAULTS, promptModel: undefined, promptBaseUrl: undefined };

/** Fills defaults and validates; bad settings fail here, before any LM call (ConfigError). */
export function resolvePromptSettings(input: Partial<PromptStageSettings> = {}): PromptStageSettings {
  rejectUnknown(input ?? {}, KNOWN, { label: 'prompt stage setting' });
  const s: PromptStageSettings = { ...PROMPT_STAGE_DEFAULTS, ...stripUndefined(input ?? {}) };
  const whole = (name: keyof PromptStageSettings, min: number) => {
    const v = s[name];
    if (!Number.isInteger(v) || (v as number) < min) throw new ConfigError(`Prompt stage setting ${name} must be a whole number >= ${min} (got ${JSON.stringify(v)}).`);
  };
  whole('trials', 0);
  whole('minibatchSize', 1);
  whole('fullEvalEvery', 1);
  whole('maxDemos', 0);
  whole('demoSets', 1);
  whole('instructionCandidates', 0);
  if (typeof s.threshold !== 'number' || !Number.isFinite(s.threshold)) throw new ConfigError(`Prompt stage setting threshold must be a finite number (got ${JSON.stringify(s.threshold)}).`);
  const t = s.proposalTemperature;
  if (typeof t !== 'number' || !(t > 0 && t <= 2)) {
    throw new ConfigError(`Prompt stage setting proposalTemperature must be in (0, 2] so proposals differ (got ${JSON.stringify(t)}).`);
  }
  checkPromptModel(s);
  return s;
}

function checkPromptModel(s: PromptStageSettings): void {
  if (s.promptModel !== undefined && (typeof s.promptModel !== 'string' || s.promptModel.trim() === '')) {
    throw new ConfigError(`Prompt stage setting promptModel must be a model name (got ${JSON.stringify(s.promptModel)}).`);
  }
  if (s.promptBaseUrl !== undefined) {
    if (typeof s.promptBaseUrl !== 'string' || !isHttpUrl(s.promptBaseUrl.trim())) {
      throw new ConfigError(`Prompt stage setting promptBaseUrl ${JSON.stringify(s.promptBaseUrl)} is not an http(s) URL; give the prompt model's OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1.`);
    }
    s.promptBaseUrl = s.promptBaseUrl.trim().replace(/\/+$/, '');
    if (s.promptModel === undefined) throw new ConfigError('Prompt stage setting promptBaseUrl is set but promptModel is not: name the model that proposes instructions (--prompt-model <name>).');
  }
  if (s.promptModel !== undefined && s.promptBaseUrl === undefined) {
    throw new ConfigError(`Prompt model "${s.promptModel}" has no server: give its OpenAI-compatible base URL with --prompt-base-url <url> (or promptBaseUrl in the config), e.g. http://127.0.0.1:8000/v1.`);
  }
}
