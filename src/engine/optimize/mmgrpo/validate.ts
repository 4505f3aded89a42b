import { evaluate } from '../../evaluate/evaluate';
import type { MMGRPOLoopOptions } from './loop';
import { USE_TRAIN_AS_VAL, valsetOf } from '../../tasks/valset';

/** Greedy validation of the current weights; every example lands in the run store. */
export async function validateStep(o: MMGRPOLoopOptions, step: number): Promise<number> {
  const valset = valsetOf(o.task, o.config.useTrainAsVal, USE_TRAIN_AS_VAL);
  const stage = o.stage;
  o.writer.append({ type: 'log', level: 'info', message: `Validating at step ${step} on ${valset.length} examples` });
  let done = 0;
  const r = await evaluate({
    task: o.task,
    program: o.program,
    dataset: valset,
    lm: o.session.lm,
    concurrency: o.config.concurrency,
    failureScore: o.config.failureScore,
    sampling: { temperature: 0, max_tokens: o.config.maxTokens },
    adapter: o.adapter,
    onExample: (ex) => {
      o.writer.append({ type: 'example_evaluated', stage, step, split: 'val', ...ex });
      o.writer.append({ type: 'progress', stage: `${stage}/val`, done: ++done, total: valset.length });
    },
  });
  o.writer.append({ type: 'eval_finished', stage, step, split: 'val', score: r.score, count: r.count, errors: r.errors });
  return r.score;
}
