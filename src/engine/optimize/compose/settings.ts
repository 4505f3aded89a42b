import { isHttpUrl } from '../../lm/config';
import { z } from 'zod/v4';
import { ConfigError, knownKeys, rejectUnknown, stripUndefined } from '../mmgrpo/config';
import { firstIssue, wholeNumber } from '../mmgrpo/configSchema';

const P = 'Prompt stage setting';
const got = (v: unknown) => JSON.stringify(v);

/** Settings of every prompt-optimization (`p`) stage of a composed run: the `prompt` section of --config. */
export const PromptStageSettingsSchema = z.strictObject({
  trials: wholeNumber(`${P} trials`, 0, 'TPE trials per p stage.'),
  minibatchSize: wholeNumber(`${P} minibatchSize`, 1, "Examples per trial minibatch (capped at the evaluation set's size)."),
  fullEvalEvery: wholeNumber(`${P} fullEvalEvery`, 1, 'Fully evaluate the most promising candidate every this many trials (and at the end).'),
  maxDemos: wholeNumber(`${P} maxDemos`, 0, 'At most this many demos per set: passing traces first, labeled examples fill the rest.'),
  demoSets: wholeNumber(`${P} demoSets`, 1, 'Candidate demo sets per module, the empty set included.'),
  threshold: z.number({ error: (i: { input?: unknown }) => `${P} threshold must be a finite number (got ${got(i.input)}).` }).describe('A teacher trace becomes a demo when the metric is >= this.'),
  instructionCandidates: wholeNumber(`${P} instructionCandidates`, 0, 'Instructions the prompt model proposes per module (besides the current one); 0 = no proposal.'),
  proposalTemperature: z
    .number({ error: (i: { input?: unknown }) => `${P} proposalTemperature must be in (0, 2] so proposals differ (got ${got(i.input)}).` })
    .gt(0, { error: (i) => `${P} proposalTemperature must be in (0, 2] so proposals differ (got ${got(i.input)}).` })
    .max(2, { error: (i) => `${P} proposalTemperature must be in (0, 2] so proposals differ (got ${got(i.input)}).` })
    .describe('Sampling temperature of the proposal calls (> 0, so proposals differ).'),
  promptModel: z
    .string({ error: (i: { input?: unknown }) => `${P} promptModel must be a model name (got ${got(i.input)}).` })
    .describe('Model that proposes instructions, on an OpenAI-compatible server at promptBaseUrl. Absent: a remote backend\'s task model proposes; the embedded model cannot, so proposal is skipped. The API key is never a setting: it comes from the environment.')
    .optional(),
  promptBaseUrl: z
    .string({ error: (i: { input?: unknown }) => `${P} promptBaseUrl ${got(i.input)} is not an http(s) URL; give the prompt model's OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1.` })
    .describe("Base URL (e.g. http://127.0.0.1:8000/v1) of the prompt model's server.")
    .optional(),
});
export type PromptStageSettings = z.infer<typeof PromptStageSettingsSchema>;

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

/** Fills defaults and validates; bad settings fail here, before any LM call (ConfigError). */
export function resolvePromptSettings(input: Partial<PromptStageSettings> = {}): PromptStageSettings {
  rejectUnknown(input ?? {}, knownKeys(PromptStageSettingsSchema), { label: 'prompt stage setting' });
  const s: PromptStageSettings = { ...PROMPT_STAGE_DEFAULTS, ...stripUndefined(input ?? {}) };
  const parsed = PromptStageSettingsSchema.safeParse(s);
  if (!parsed.success) throw new ConfigError(firstIssue(parsed.error));
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
