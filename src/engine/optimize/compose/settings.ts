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
}

export const PROMPT_STAGE_DEFAULTS: PromptStageSettings = {
  trials: 12,
  minibatchSize: 25,
  fullEvalEvery: 4,
  maxDemos: 2,
  demoSets: 6,
  threshold: 1,
};

export function resolvePromptSettings(input: Partial<PromptStageSettings> = {}): PromptStageSettings {
  const s: PromptStageSettings = { ...PROMPT_STAGE_DEFAULTS };
  for (const [k, v] of Object.entries(input)) if (v !== undefined) (s as unknown as Record<string, number>)[k] = v;
  const whole = (name: keyof PromptStageSettings, min: number) => {
    const v = s[name];
    if (!Number.isInteger(v) || v < min) throw new Error(`Prompt stage setting ${name} must be a whole number >= ${min} (got ${JSON.stringify(v)}).`);
  };
  whole('trials', 0);
  whole('minibatchSize', 1);
  whole('fullEvalEvery', 1);
  whole('maxDemos', 0);
  whole('demoSets', 1);
  if (!Number.isFinite(s.threshold)) throw new Error(`Prompt stage setting threshold must be a finite number (got ${JSON.stringify(s.threshold)}).`);
  return s;
}
