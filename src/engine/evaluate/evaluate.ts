import type { Split } from '../../protocol/events';
import type { ModuleCallRecord } from '../../protocol/trace';
import type { Adapter } from '../adapters';
import type { LanguageModel, SamplingParams } from '../lm/types';
import type { Module } from '../program/module';
import { runProgram } from '../trace';
import { inputsOf } from '../tasks/defineTask';
import type { Example, Prediction, Task } from '../tasks/types';
import { mapPool } from './pool';
import { applyMetric } from './score';

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
  const one = async (example: Example, index: number): Promise<ExampleResult | undefined> => {
    const inputs = inputsOf(opts.task, example);
    const run = await runProgram(opts.program, inputs, ctx);
    // A cancelled example is not a failed one: leave it out of the score.
    if (run.error?.kind === 'aborted') return undefined;
    const { trace, latencyMs } = run;
    let result: ExampleResult;
    if (run.error || !run.outputs) {
      result = { index, inputs, trace, latencyMs, score: failureScore, error: run.error?.message ?? 'The program returned no outputs.' };
    } else {
      const outcome = await applyMetric(opts.task.metric, example, run.outputs, run.trace);
      result = outcome.ok
        ? { index, inputs, trace, latencyMs, prediction: run.outputs, score: outcome.score }
        : { index, inputs, trace, latencyMs, prediction: run.outputs, score: failureScore, error: outcome.error };
    }
    opts.onExample?.(result);
    return result;
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

export type { Split };
