import type { Adapter } from '../../adapters';
import type { Module } from '../../program/module';
import type { RunWriter } from '../../runs';
import type { ArborTrainerClient } from '../../trainer';
import type { Task } from '../../tasks/types';
import { labeledCalls, modulesWithoutLabels } from '../labeledExamples';
import type { z } from 'zod/v4';
import type { WarmStartSettingsSchema } from '../runConfig';

/** Passes over the labeled module calls (0 = no warm start), learning rate, batch size: saved with the run (runConfig.ts). */
export type WarmStartSettings = z.infer<typeof WarmStartSettingsSchema>;

export const WARM_START_STAGE = 'warmstart';

/**
 * Supervised warm start before GRPO, on labeled module calls taken straight
 * from the train set (a tiny model from random init cannot follow the output
 * format, so GRPO alone would see only zero-variance groups). Its own stage.
 */
export async function runWarmStart(o: {
  program: Module;
  task: Task;
  adapter: Adapter;
  trainer: ArborTrainerClient;
  model: string;
  writer: RunWriter;
  settings: WarmStartSettings;
  seed: number;
}): Promise<{ loss: number; examples: number } | undefined> {
  const calls = labeledCalls(o.program, o.task.trainset, o.adapter);
  const missing = modulesWithoutLabels(o.program, calls);
  if (calls.length === 0) {
    o.writer.append({ type: 'log', level: 'warn', message: 'Warm start skipped: no module has all of its input and output fields in the train set.' });
    return undefined;
  }
  const label = `Supervised warm start: ${calls.length} labeled module calls, ${o.settings.epochs} epochs`;
  o.writer.append({ type: 'stage_started', stage: WARM_START_STAGE, label });
  if (missing.length) o.writer.append({ type: 'log', level: 'warn', message: `Warm start has no labels for ${missing.join(', ')}; those modules start untrained.` });
  const r = await o.trainer.sft({
    model: o.model,
    examples: calls.map((c) => ({ messages: c.messages, completion: c.completion })),
    learning_rate: o.settings.learningRate,
    epochs: o.settings.epochs,
    batch_size: o.settings.batchSize,
    seed: o.seed,
  });
  o.writer.append({ type: 'log', level: 'info', message: `Warm start done: final loss ${r.loss.toFixed(4)} over ${r.steps} optimizer steps.` });
  o.writer.append({ type: 'stage_finished', stage: WARM_START_STAGE });
  return { loss: r.loss, examples: calls.length };
}
