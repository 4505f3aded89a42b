import type { OpenedSession, SessionOptions } from '../../../../../src/engine/optimize/mmgrpo/openSession';
import type { OpenedInference } from '../../../../../src/engine/optimize/compose/remoteInference';
import { CountingLM } from '../../../../../src/engine/optimize/prompt/budget';
import type { LanguageModel } from '../../../../../src/engine/lm/types';

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
