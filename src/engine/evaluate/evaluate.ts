import type { Split } from '../../protocol/events';
import type { ModuleCallRecord } from '../../protocol/trace';
import type { Adapter } from '../adapters';
import type { LanguageModel, SamplingParams } from '../lm/types';
import type { Module } from '../program/module';
import { programNames, runProgram, type ProgramRun } from '../trace';
import { inputsOf } from '../tasks/defineTask';
import type { Example, Prediction, Task } from '../tasks/types';
import { mapPool } from './pool';
import { applyMetric, type MetricOutcome } from './score';

export interface EvaluateOptions {
  task: Task;
  program: Module;
  dataset: readonly Example[];
  lm: LanguageModel;
  concurrency: number;
  /** Score given to an example whose program or metric failed. */
  failureScore?: number;
  sampling?: SamplingParams;
  adapter?: Adapter;
  /** Cache LM answers on disk (deterministic evals only). */
  cache?: boolean;
  signal?: AbortSignal;
  onExample?: (result: ExampleResult) => void;
}

export interface ExampleResult {
  index: number;
  inputs: Record<string, unknown>;
  prediction?: Prediction;
  score: number;
  error?: string;
  trace: ModuleCallRecord[];
  latencyMs: number;
}

export interface EvaluationResult {
  /** Mean score over evaluated examples (failures at failureScore). */
  score: number;
  count: number;
  errors: number;
  /** False when cancelled before every example ran. */
  complete: boolean;
  results: ExampleResult[];
}

/** Evaluates a program on a dataset in parallel; one bad example never stops the rest. */
export async function evaluate(opts: EvaluateOptions): Promise<EvaluationResult> {
  const failureScore = opts.failureScore ?? 0;
  // One context for every example: runProgram copies it (adding its recorder) anyway.
  const ctx = { lm: opts.lm, adapter: opts.adapter, sampling: opts.sampling, signal: opts.signal, cache: opts.cache };
  // Walked once here rather than once per example: every rollout shares the names.
  const names = programNames(opts.program);
  const one = (example: Example, index: number): Promise<ExampleResult | undefined> => {
    const inputs = inputsOf(opts.task, example);
    return runProgram(opts.program, inputs, ctx, names).then((run) => scoreRun(opts, failureScore, example, index, inputs, run));
  };
  const all = await mapPool(opts.dataset, opts.concurrency, one, opts.signal);
  const results = all.filter((r): r is ExampleResult => r !== undefined);
  const total = results.reduce((s, r) => s + r.score, 0);
  return {
    score: results.length ? total / results.length : 0,
    count: results.length,
    errors: results.filter((r) => r.error !== undefined).length,
    complete: results.length === opts.dataset.length,
    results,
  };
}

/** The example's result, or undefined for a cancelled one (not a failure: it is left out of the score). */
function scoreRun(
  opts: EvaluateOptions,
  failureScore: number,
  example: Example,
  index: number,
  inputs: Record<string, unknown>,
  run: ProgramRun,
): ExampleResult | undefined | Promise<ExampleResult> {
  if (run.error?.kind === 'aborted') return undefined;
  const { trace, latencyMs } = run;
  if (run.error || !run.outputs) {
    const error = run.error?.message ?? 'The program returned no outputs.';
    return reported(opts, { index, inputs, trace, latencyMs, score: failureScore, error });
  }
  const prediction = run.outputs;
  const scored = (outcome: MetricOutcome): ExampleResult =>
    reported(
      opts,
      outcome.ok
        ? { index, inputs, trace, latencyMs, prediction, score: outcome.score }
        : { index, inputs, trace, latencyMs, prediction, score: failureScore, error: outcome.error },
    );
  // Called directly for a synchronous metric (most are): no promise per example for it.
  const outcome = applyMetric(opts.task.metric, example, prediction, trace);
  return outcome instanceof Promise ? outcome.then(scored) : scored(outcome);
}

function reported(opts: EvaluateOptions, result: ExampleResult): ExampleResult {
  opts.onExample?.(result);
  return result;
}

export type { Split };
