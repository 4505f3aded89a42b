import type { ModuleCallRecord } from './trace';

/**
 * The run event stream: one versioned discriminated union, appended to
 * `events.jsonl` and consumed alike by the CLI, the tree view and the panel.
 * New event types may be added; existing fields are never repurposed.
 */
export const EVENT_SCHEMA_VERSION = 1;

export type RunKind = 'eval' | 'train' | 'optimize';
/** `interrupted` is derived by readers: no run_finished and no live writer (resumable). */
export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';
export type Split = 'train' | 'val' | 'dev';

export interface EventBase {
  /** Schema version of this event. */
  v: number;
  /** 0-based position in the run's stream; strictly increasing. */
  seq: number;
  /** ISO time the event was written. */
  ts: string;
}

export interface RunStartedEvent extends EventBase {
  type: 'run_started';
  runId: string;
  kind: RunKind;
  taskName: string;
  taskFile: string;
  /** True when this start continues an earlier, interrupted run. */
  resumed?: boolean;
}

export interface StageStartedEvent extends EventBase {
  type: 'stage_started';
  stage: string;
  /** Human label, e.g. "Evaluate on val". */
  label: string;
}

export interface ProgressEvent extends EventBase {
  type: 'progress';
  stage: string;
  done: number;
  total: number;
}

export interface ExampleEvaluatedEvent extends EventBase {
  type: 'example_evaluated';
  stage: string;
  /** Training step this validation belongs to (training runs only). */
  step?: number;
  split: Split;
  index: number;
  inputs: Record<string, unknown>;
  prediction?: Record<string, unknown>;
  score: number;
  /** Program, metric or transport error for this example (score is failure_score then). */
  error?: string;
  trace: ModuleCallRecord[];
  latencyMs: number;
}

export interface EvalFinishedEvent extends EventBase {
  type: 'eval_finished';
  stage: string;
  /** Training step this validation belongs to (training runs only). */
  step?: number;
  split: Split;
  /** Mean score over all examples, errors counted at their failure score. */
  score: number;
  count: number;
  errors: number;
}

export interface StageFinishedEvent extends EventBase {
  type: 'stage_finished';
  stage: string;
}

/** LM usage totals, as the client's meter keeps them and the usage event records them. */
export interface UsageTotals {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  cachedCalls: number;
  retries: number;
  /** Money spent, when a price per token is configured. */
  cost?: number;
}

export interface UsageEvent extends EventBase, UsageTotals {
  type: 'usage';
}

export interface LogEvent extends EventBase {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface RunFinishedEvent extends EventBase {
  type: 'run_finished';
  status: Exclude<RunStatus, 'running' | 'interrupted'>;
  error?: string;
  /** Headline numbers, e.g. `{ "val/score": 0.71 }`. */
  summary: Record<string, number>;
}

/** Why a rollout got its reward. */
export type RewardKind = 'metric' | 'format_failure' | 'failure';

/** One execution of the program on one training input, kept whatever happened. */
export interface RolloutRecord {
  /** Index of the input within the step's batch. */
  exampleIndex: number;
  /** Index of the input in the train set. */
  datasetIndex: number;
  rolloutIndex: number;
  teacher: string;
  inputs: Record<string, unknown>;
  trace: ModuleCallRecord[];
  outputs?: Record<string, unknown>;
  reward: number;
  rewardKind: RewardKind;
  error?: string;
}

/** A group member, by reference into the step's rollouts (no copy of prompts). */
export interface GroupMemberRef {
  rolloutIndex: number;
  /** Index of the module call in that rollout's trace. */
  callIndex: number;
  reward: number;
  advantage: number;
  /** Repeats a call to pad a short rollout (fill mode). */
  filled: boolean;
}

export interface GroupRecord {
  exampleIndex: number;
  module: string;
  invocation: number;
  members: GroupMemberRef[];
  /** All rewards equal: no signal, not sent to the trainer. */
  zeroVariance: boolean;
  /** Sent to the trainer in this step's batch. */
  trained: boolean;
}

/** Per-module statistics of one training step. */
export interface ModuleStepStats {
  module: string;
  groups: number;
  trainedGroups: number;
  rewardMean: number;
  rewardStd: number;
  fracRewardZeroStd: number;
  advantageMin: number;
  advantageMax: number;
  formatFailureRate: number;
  callsMin: number;
  callsMean: number;
  callsMax: number;
}

export interface BudgetSpent {
  lmCalls: number;
  tokens: number;
  seconds: number;
}

export interface StepStartedEvent extends EventBase {
  type: 'step_started';
  stage: string;
  step: number;
  /** Train-set indices of this step's inputs. */
  datasetIndices: number[];
}

/**
 * All rollouts of one step. A step's rollouts count only when a
 * `step_finished` for the same stage and step follows (a crash in between
 * makes the resumed run redo that step and write them again).
 */
export interface RolloutsEvent extends EventBase {
  type: 'rollouts';
  stage: string;
  step: number;
  rollouts: RolloutRecord[];
}

export interface StepFinishedEvent extends EventBase {
  type: 'step_finished';
  stage: string;
  step: number;
  groups: GroupRecord[];
  modules: ModuleStepStats[];
  /** Trainer health: loss, kl, clip_ratio, grad_norm, tokens... (slash names). */
  trainer: Record<string, number>;
  rewardMean: number;
  rewardStd: number;
  rollouts: { total: number; formatFailures: number; failures: number };
  budget: BudgetSpent;
  /** Checkpoint holding the weights after this step (name and trainer-side folder). */
  checkpoint?: string;
  checkpointDir?: string;
  /** Validation score at this step, when validated. */
  valScore?: number;
}

/**
 * A checkpoint became notable: the initial weights (step 0) or a new best
 * validation score. Written after the step's step_finished, so a crash never
 * leaves a "best" pointing at a step that will be redone.
 */
export interface CheckpointEvent extends EventBase {
  type: 'checkpoint_saved';
  stage: string;
  step: number;
  name: string;
  dir?: string;
  valScore?: number;
  /** Best validation score so far: the final program uses it. */
  best: boolean;
}


/** Which instruction and demo set (indexes into the stage's candidate lists) a prompt candidate uses per module. */
export type PromptChoiceRecord = Record<string, { instruction: number; demoSet: number }>;

/**
 * One scoring of a prompt candidate in a prompt-optimization stage: a trial
 * on a seeded minibatch, or a full evaluation (trial 0 = the stage's starting
 * prompts). Only full scores decide which candidate is accepted.
 */
export interface PromptTrialEvent extends EventBase {
  type: 'prompt_trial';
  stage: string;
  trial: number;
  /** Run-unique id: `<stage>/trial-<n>` of the trial that first proposed this choice. */
  candidateId: string;
  scope: 'minibatch' | 'full';
  score: number;
  /** Examples scored. */
  size: number;
  params?: PromptChoiceRecord;
  /** Full evaluations: the score beat every earlier one of the stage. */
  best?: boolean;
}

/**
 * Lineage: a prompt candidate became the stage's best, one event per module.
 * `parent` is the prompt version it replaced (`start` = the program's own
 * prompts, or the best candidate of an earlier stage).
 */
export interface PromptCandidateEvent extends EventBase {
  type: 'prompt_candidate';
  stage: string;
  module: string;
  candidateId: string;
  parent: string | null;
  instructions: string;
  demos: Record<string, unknown>[];
  /** Full score of the whole program with this candidate. */
  score: number;
  /** False when this module's prompt equals the parent's. */
  changed: boolean;
}

/**
 * The instructions a p stage searches over for one module, after proposal:
 * index 0 is the module's current instruction, then the prompt model's
 * proposals; `prompt_trial` params refer to these indexes.
 */
export interface PromptInstructionsEvent extends EventBase {
  type: 'prompt_instructions';
  stage: string;
  module: string;
  instructions: string[];
  /** Who proposed them (model and server, or "task model ..."). */
  proposer: string;
  /** Proposals dropped for the whole stage (malformed, empty, too long, duplicate, failed call). */
  dropped: number;
}

/**
 * A composed-optimization stage finished: the program it hands to the next
 * stage and its val score. A stage with a summary is never redone on resume.
 */
export interface StageSummaryEvent extends EventBase {
  type: 'stage_summary';
  stage: string;
  kind: 'p' | 'w';
  valScore: number;
  programState: ProgramStateJson;
  /** Weights of the stage's program (a checkpoint folder); absent = the run's starting model. */
  checkpointDir?: string;
  /** Prompt version of the stage's program (`start` or a prompt_candidate id). */
  promptVersion: string;
  /** What the stage spent (all attempts that count). */
  spent: BudgetSpent;
  /** The stage stopped early at the run's budget but its result is complete and judged on val. */
  stoppedBy?: 'budget';
  /** Stage facts for reports: trials, baseline score, best step... */
  detail: Record<string, number>;
}

export type RunEvent =
  | RunStartedEvent
  | StepStartedEvent
  | RolloutsEvent
  | StepFinishedEvent
  | CheckpointEvent
  | StageStartedEvent
  | ProgressEvent
  | ExampleEvaluatedEvent
  | EvalFinishedEvent
  | StageFinishedEvent
  | UsageEvent
  | LogEvent
  | RunFinishedEvent
  | PromptTrialEvent
  | PromptCandidateEvent
  | PromptInstructionsEvent
  | StageSummaryEvent;

export type RunEventType = RunEvent['type'];

/** What a producer supplies; the run store stamps v, seq and ts. */
export type RunEventInput = RunEvent extends infer E
  ? E extends RunEvent
    ? Omit<E, keyof EventBase>
    : never
  : never;

export const RUN_EVENT_TYPES: readonly RunEventType[] = [
  'run_started',
  'step_started',
  'rollouts',
  'step_finished',
  'checkpoint_saved',
  'stage_started',
  'progress',
  'example_evaluated',
  'eval_finished',
  'stage_finished',
  'usage',
  'log',
  'run_finished',
  'prompt_trial',
  'prompt_candidate',
  'prompt_instructions',
  'stage_summary',
];

/** `run.json`: what a run was started with. Written once, atomically. */
export interface RunManifest {
  schemaVersion: number;
  id: string;
  kind: RunKind;
  createdAt: string;
  taskName: string;
  taskFile: string;
  seed: number;
  /** Full configuration with secrets removed. */
  config: Record<string, unknown>;
  engineVersion: string;
  nodeVersion: string;
  /** Workspace git commit (with `+dirty` when the tree had changes), if any. */
  gitCommit?: string;
  /** Program state (instructions, demos per module) before the run. */
  programStateBefore: ProgramStateJson;
}

export interface PredictorStateJson {
  signature: string;
  instructions: string;
  demos: Record<string, unknown>[];
}

export interface ProgramStateJson {
  version: number;
  predictors: Record<string, PredictorStateJson>;
}
