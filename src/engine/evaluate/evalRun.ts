import type { RunEvent, Split } from '../../protocol/events';
import type { Adapter } from '../adapters';
import type { LanguageModel, SamplingParams } from '../lm/types';
import type { UsageTotals } from '../lm/usage';
import { openRun, type RunWriter } from '../runs';
import type { Task } from '../tasks/types';
import { evaluate, type EvaluationResult } from './evaluate';
import { valsetOf } from '../tasks/valset';

export interface EvalRunOptions {
  task: Task;
  taskFile: string;
  workspace: string;
  lm: LanguageModel;
  split: Split;
  /** Evaluate only the first `limit` examples of the split. */
  limit?: number;
  concurrency: number;
  seed: number;
  sampling?: SamplingParams;
  adapter?: Adapter;
  cache?: boolean;
  /** Recorded in run.json (secrets are redacted by the store). */
  config: Record<string, unknown>;
  runsDir?: string;
  signal?: AbortSignal;
  usage?: () => UsageTotals;
  onEvent?: (event: RunEvent) => void;
}

export interface EvalRunResult {
  runId: string;
  dir: string;
  result: EvaluationResult;
  status: 'completed' | 'cancelled';
}

/** Evaluates a task's program on one split as a recorded run (events + manifest). */
export async function runEvaluation(opts: EvalRunOptions): Promise<EvalRunResult> {
  const dataset = datasetOf(opts.task, opts.split).slice(0, opts.limit ?? Infinity);
  const program = opts.task.program.clone();
  const { writer, runId } = openRun({ kind: 'eval', task: opts.task, taskFile: opts.taskFile, workspace: opts.workspace, seed: opts.seed, config: opts.config, runsDir: opts.runsDir });
  if (opts.onEvent) writer.onEvent(opts.onEvent);
  try {
    return await recordEvaluation(opts, writer, runId, dataset, program);
  } catch (err) {
    writer.append({ type: 'run_finished', status: 'failed', error: (err as Error).message, summary: {} });
    throw err;
  } finally {
    writer.close();
  }
}

async function recordEvaluation(
  opts: EvalRunOptions,
  writer: RunWriter,
  runId: string,
  dataset: Task['trainset'],
  program: Task['program'],
): Promise<EvalRunResult> {
  const stage = `eval-${opts.split}`;
  writer.append({ type: 'run_started', runId, kind: 'eval', taskName: opts.task.name, taskFile: opts.taskFile });
  writer.append({ type: 'stage_started', stage, label: `Evaluate on ${opts.split} (${dataset.length} examples)` });
  let done = 0;
  const result = await evaluate({
    task: opts.task,
    program,
    dataset,
    lm: opts.lm,
    concurrency: opts.concurrency,
    sampling: opts.sampling,
    adapter: opts.adapter,
    cache: opts.cache,
    signal: opts.signal,
    onExample: (r) => {
      writer.append({ type: 'example_evaluated', stage, split: opts.split, ...r });
      writer.append({ type: 'progress', stage, done: ++done, total: dataset.length });
    },
  });
  writer.append({ type: 'eval_finished', stage, split: opts.split, score: result.score, count: result.count, errors: result.errors });
  writer.append({ type: 'stage_finished', stage });
  if (opts.usage) writer.append({ type: 'usage', ...opts.usage() });
  const status = result.complete ? 'completed' : 'cancelled';
  writer.append({ type: 'run_finished', status, summary: { [`${opts.split}/score`]: result.score, [`${opts.split}/errors`]: result.errors } });
  return { runId, dir: writer.dir, result, status };
}

function datasetOf(task: Task, split: Split) {
  return split === 'train' ? task.trainset : valsetOf(task, false, 'evaluate on the train split (--split train)');
}
