import { z } from 'zod/v4';
import { GRPO_LOSS_TYPES } from '../../../protocol/trainer';

// The one source of the settings objects of a run: the TypeScript types
// (z.infer), the runtime checks (with the messages users see) and the JSON
// Schema of --config files (configJsonSchema.ts) all come from these schemas.

const got = (v: unknown) => JSON.stringify(v);
type Issue = { input?: unknown };

/** A whole number >= min; `name` is how messages call the setting. */
export function wholeNumber(name: string, min: number, doc: string) {
  const error = (i: Issue) => `${name} must be a whole number >= ${min} (got ${got(i.input)}).`;
  return z.number({ error }).int({ error }).min(min, { error }).describe(doc);
}

/** A finite number in [min, max]; min Number.MIN_VALUE means "above 0". */
function boundedNumber(name: string, min: number, max: number, doc: string) {
  const error = (i: Issue) => `${name} must be a number in [${min}, ${max}] (got ${got(i.input)}).`;
  let s = z.number({ error });
  if (min === Number.MIN_VALUE) s = s.gt(0, { error });
  else if (Number.isFinite(min)) s = s.min(min, { error });
  if (Number.isFinite(max)) s = s.max(max, { error });
  return s.describe(doc);
}

/** One of `values`; `use` words the list ("use one of a, b" / "use a or b"). */
function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T, use: string, doc: string) {
  return z.enum(values, { error: (i: Issue) => `${name} "${String(i.input)}" is unknown; ${use}.` }).describe(doc);
}

function flag(name: string, doc: string) {
  return z.boolean({ error: (i: Issue) => `${name} must be true or false (got ${got(i.input)}).` }).describe(doc);
}

/** A nested settings object; a non-object there says so instead of a generic type error. */
function section<S extends z.ZodRawShape>(name: string, shape: S, doc: string) {
  return z.strictObject(shape, { error: (i: Issue) => `${name} must be an object of settings (got ${got(i.input)}).` }).describe(doc);
}

function text(name: string, doc: string) {
  return z.string({ error: (i: Issue) => `${name} must be a string (got ${got(i.input)}).` }).describe(doc);
}

export const GROUPING_MODES = ['truncate', 'fill', 'ragged'] as const;
export const FILL_STRATEGIES = ['randint', 'max'] as const;
/** Where programs run and weights train: see BackendSettings.kind. */
export const BACKEND_KINDS = ['embedded', 'local', 'remote'] as const;

const TrainerSettingsSchema = section('trainer', {
  lossType: oneOf('trainer.lossType', GRPO_LOSS_TYPES, `use one of ${GRPO_LOSS_TYPES.join(', ')}`, 'Loss normalization [loss_type].'),
  learningRate: boundedNumber('trainer.learningRate', Number.MIN_VALUE, 1, 'Optimizer learning rate [learning_rate].'),
  beta: boundedNumber('trainer.beta', 0, Infinity, 'KL coefficient to the reference policy [beta]; 0 skips the reference.'),
  epsilonLow: boundedNumber('trainer.epsilonLow', 0, 1, 'Lower clip range of the policy ratio [epsilon_low].'),
  epsilonHigh: boundedNumber('trainer.epsilonHigh', 0, 10, 'Upper clip range ("clip higher" allows 0.28) [epsilon_high].'),
  numIterations: wholeNumber('trainer.numIterations', 1, 'Optimizer iterations per batch; > 1 makes clipping live.'),
  scaleRewards: flag('trainer.scaleRewards', 'Divide advantages by the group std [scale_rewards].'),
  maxGradNorm: boundedNumber('trainer.maxGradNorm', 0, Infinity, 'Global gradient-norm clip [max_grad_norm].'),
  loraRank: wholeNumber('trainer.loraRank', 0, 'LoRA rank, where the trainer supports LoRA (0 = full fine-tuning) [lora_config.r].'),
  loraAlpha: boundedNumber('trainer.loraAlpha', 0, Infinity, 'LoRA alpha [lora_config.lora_alpha].'),
}, 'Trainer-side settings, sent to the trainer (Arbor names in brackets).');

const BackendSettingsSchema = section('backend', {
  kind: oneOf('backend.kind', BACKEND_KINDS, `use ${BACKEND_KINDS.join(', ')}`, '`embedded` starts our tiny CPU model server (trains weights); `local` starts a real pretrained GGUF model on the CPU (inference only); `remote` uses the URLs below.'),
  inferenceUrl: text('backend.inferenceUrl', 'OpenAI-compatible inference base URL (remote), e.g. http://gpu-host:8000/v1.').optional(),
  trainerUrl: text('backend.trainerUrl', 'Arbor-compatible trainer base URL (remote; often the same server).').optional(),
  model: text('backend.model', 'Model name to serve and train (remote), the local model (a pulled name or a .gguf path), or the embedded model\'s name.').optional(),
}, 'Where programs run and weights train.');

const BudgetsSchema = section('budgets', {
  maxLMCalls: boundedNumber('budgets.maxLMCalls', 0, Infinity, 'Stop cleanly after this many LM calls (0 = unlimited).'),
  maxTokens: boundedNumber('budgets.maxTokens', 0, Infinity, 'Stop cleanly after this many prompt + completion tokens (0 = unlimited).'),
  maxSeconds: boundedNumber('budgets.maxSeconds', 0, Infinity, 'Stop cleanly after this many seconds of wall time (0 = unlimited).'),
}, 'Run budgets: the run stops cleanly (resumable) when one is reached.');

const rolloutsError = (i: Issue) => `rolloutsPerExample must be at least 2 (got ${got(i.input)}): group-relative advantages compare rollouts of the same input.`;

/** MMGRPO settings; every field has a default (MMGRPO_DEFAULTS). Key order is the order messages list them in. */
export const MMGRPOConfigSchema = z.strictObject({
  steps: wholeNumber('steps', 0, 'Training steps [num_train_steps].'),
  examplesPerStep: wholeNumber('examplesPerStep', 1, 'Inputs per step, B [num_dspy_examples_per_grpo_step].'),
  rolloutsPerExample: z.number({ error: rolloutsError }).int({ error: rolloutsError }).min(2, { error: rolloutsError }).describe('Rollouts per input, G (>= 2) [num_rollouts_per_grpo_step].'),
  concurrency: wholeNumber('concurrency', 1, 'Rollouts in flight at once [num_threads].'),
  seed: wholeNumber('seed', 0, 'Seed for data order, sampling seeds, fill draws and tie-breaks.'),
  valEvery: wholeNumber('valEvery', 1, 'Validate every this many steps (also at step 0 and the last step) [num_steps_for_val].'),
  useTrainAsVal: flag('useTrainAsVal', 'Use the train set for validation when the task has no valset.'),
  failureScore: boundedNumber('failureScore', -Infinity, Infinity, 'Reward of a rollout whose program or metric raised [failure_score].'),
  formatFailureScore: boundedNumber('formatFailureScore', -Infinity, Infinity, 'Reward of a rollout whose module output did not parse at all [format_failure_score]; below failureScore.'),
  groupingMode: oneOf('groupingMode', GROUPING_MODES, `use one of ${GROUPING_MODES.join(', ')}`, 'Grouping when rollouts call a module a different number of times.'),
  fillStrategy: oneOf('fillStrategy', FILL_STRATEGIES, 'use randint or max', 'How `fill` pads short rollouts: random own call, or repeat the last.').optional(),
  selectKDiverse: wholeNumber('selectKDiverse', 0, 'Keep K members per group maximizing reward diversity (0 = keep all).'),
  teachers: z.array(text('teachers[]', 'A teacher program of the task (defineTask teachers).'), { error: (i: Issue) => `teachers must be a list of names (got ${got(i.input)}).` }).describe('Names of teacher programs sharing the rollouts (off-policy), besides the student.'),
  temperature: boundedNumber('temperature', Number.MIN_VALUE, 5, 'Sampling temperature for rollouts (> 0).'),
  maxTokens: wholeNumber('maxTokens', 1, 'Completion token limit per module call.'),
  trainer: TrainerSettingsSchema,
  backend: BackendSettingsSchema,
  budgets: BudgetsSchema,
});

export type TrainerSettings = z.infer<typeof TrainerSettingsSchema>;
export type BackendKind = (typeof BACKEND_KINDS)[number];
export type BackendSettings = z.infer<typeof BackendSettingsSchema>;
export type Budgets = z.infer<typeof BudgetsSchema>;
export type MMGRPOConfig = z.infer<typeof MMGRPOConfigSchema>;
export type LossType = TrainerSettings['lossType'];

/** What a caller or a --config file gives: any subset of the settings, nested sections too. */
export const MMGRPOConfigInputSchema = MMGRPOConfigSchema.partial().extend({
  trainer: TrainerSettingsSchema.partial().optional(),
  backend: BackendSettingsSchema.partial().optional(),
  budgets: BudgetsSchema.partial().optional(),
});
export type MMGRPOConfigInput = z.infer<typeof MMGRPOConfigInputSchema>;

/** The first problem zod found, in the words of the schema's messages. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue?.message ?? 'invalid settings';
}
