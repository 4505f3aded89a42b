import type { OpenedSession, SessionOptions } from '../../../../../src/engine/optimize/mmgrpo/openSession';
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
