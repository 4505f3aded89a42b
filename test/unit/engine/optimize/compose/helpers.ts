import type { OpenedSession, SessionOptions } from '../../../../../src/engine/optimize/mmgrpo/openSession';
import type { OpenedInference } from '../../../../../src/engine/optimize/compose/remoteInference';
import { CountingLM } from '../../../../../src/engine/optimize/prompt/budget';
import type { LanguageModel } from '../../../../../src/engine/lm/types';
import { join } from 'node:path';
import type { ComposeRunOptions } from '../../../../../src/engine/optimize/compose/composeRun';
import { resolvePromptSettings } from '../../../../../src/engine/optimize/compose/settings';
import { resolveMMGRPOConfig } from '../../../../../src/engine/optimize/mmgrpo/config';
import { RunWriter, buildManifest } from '../../../../../src/engine/runs';
import type { Task } from '../../../../../src/engine/tasks/types';
import { QA, promptSensitiveLM, qaTask } from '../prompt/helpers';

/** A session over a scripted LM (p stages need no trainer); records how it was opened. */
export function scriptedOpener(lm: LanguageModel, opened: SessionOptions[] = []) {
  return async (o: SessionOptions): Promise<OpenedSession> => {
    opened.push(o);
    const meter = new CountingLM(lm);
    return {
      session: { lm: meter, trainer: {} as never, jobId: 'job', model: 'scripted', capabilities: {} as never },
      baseModel: 'scripted-base',
      usage: () => ({ ...meter.reading(), cachedCalls: 0, retries: 0 }),
      close: async () => undefined,
    };
  };
}

/** An inference-only client over a scripted LM (remote runs that never train); counts how often it was opened. */
export function scriptedInference(lm: LanguageModel, opened: { count: number } = { count: 0 }) {
  return async (): Promise<OpenedInference> => {
    opened.count++;
    const meter = new CountingLM(lm);
    return { lm: meter, baseModel: lm.model, usage: () => ({ ...meter.reading(), cachedCalls: 0, retries: 0 }), close: async () => undefined };
  };
}

/**
 * A strategy-p composition of the QA task in workspace `ws` on a scripted session (which records into `opened`);
 * `over` replaces whole fields, so each suite states only what it does differently.
 */
export function composeOptions(ws: string, over: Partial<ComposeRunOptions> = {}, opened: SessionOptions[] = []): ComposeRunOptions {
  return {
    task: qaTask(new QA()), taskFile: join(ws, 'task.ts'), workspace: ws, strategy: 'p',
    config: resolveMMGRPOConfig({ concurrency: 2, seed: 1 }),
    prompt: resolvePromptSettings({ trials: 6, minibatchSize: 4, fullEvalEvery: 2, maxDemos: 1, demoSets: 3 }),
    warmStart: { epochs: 0, learningRate: 1e-3, batchSize: 16 }, guidedChoice: false, adapter: 'chat',
    openSession: scriptedOpener(promptSensitiveLM(), opened),
    ...over,
  };
}

/** A run writer at `<dir>/run` for a p stage run directly (outside runComposition, which makes its own). */
export function writerFor(dir: string, task: Task): RunWriter {
  const manifest = buildManifest({ id: 'r', kind: 'optimize', taskName: task.name, taskFile: 'task.ts', seed: 0, config: {}, programStateBefore: task.program.saveState(), workspace: dir });
  return RunWriter.create(join(dir, 'run'), manifest);
}
