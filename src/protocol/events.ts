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

export interface UsageEvent extends EventBase {
  type: 'usage';
  calls: number;
  promptTokens: number;
  completionTokens: number;
  cachedCalls: number;
  retries: number;
  /** Money spent, when a price per token is configured. */
  cost?: number;
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

export type RunEvent =
  | RunStartedEvent
  | StageStartedEvent
  | ProgressEvent
  | ExampleEvaluatedEvent
  | EvalFinishedEvent
  | StageFinishedEvent
  | UsageEvent
  | LogEvent
  | RunFinishedEvent;

export type RunEventType = RunEvent['type'];

/** What a producer supplies; the run store stamps v, seq and ts. */
export type RunEventInput = RunEvent extends infer E
  ? E extends RunEvent
    ? Omit<E, keyof EventBase>
    : never
  : never;

export const RUN_EVENT_TYPES: readonly RunEventType[] = [
  'run_started',
  'stage_started',
  'progress',
  'example_evaluated',
  'eval_finished',
  'stage_finished',
  'usage',
  'log',
  'run_finished',
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
