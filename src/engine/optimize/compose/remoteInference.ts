import { CPU_SERVER_LM_LIMITS } from '../../backends/embeddedProcess';
import { startLocalProcess } from '../../backends/localProcess';
import type { UsageTotals } from '../../lm/usage';
import { createLM } from '../../lm';
import type { LanguageModel } from '../../lm/types';
import type { MMGRPOConfig } from '../mmgrpo/config';
import { preflightRemoteBackend } from '../mmgrpo/openSession';
import type { StagePlan } from './strategy';

/** What a p stage needs from the backend: a metered client on the current weights. */
export interface OpenedInference {
  lm: LanguageModel;
  /** The model the client calls (recorded in result.json). */
  baseModel: string;
  /** LM calls and tokens spent through `lm`. */
  usage: () => UsageTotals;
  close(): Promise<void>;
}

export type InferenceOpener = (o: { config: MMGRPOConfig; apiKey?: string }) => Promise<OpenedInference>;

/**
 * Whether a composed run trains, so a remote backend needs its trainer: a w
 * stage and a warm start train, and weights given with --init-from are loaded
 * by the trainer. Prompt optimization alone only calls the inference server.
 */
export function compositionNeedsTrainer(plan: readonly StagePlan[], o: { warmStartEpochs: number; initFrom?: string }): boolean {
  return plan.some((s) => s.kind === 'w') || o.warmStartEpochs > 0 || o.initFrom !== undefined;
}

/**
 * Inference alone, on a remote OpenAI-compatible server: checked with one
 * GET /models first, so a wrong URL, key or model name fails before any
 * program runs. No trainer is contacted and there is no job to close.
 */
export async function openRemoteInference(o: { config: MMGRPOConfig; apiKey?: string }): Promise<OpenedInference> {
  const b = o.config.backend;
  if (b.kind !== 'remote' || !b.inferenceUrl || !b.model) throw new Error('openRemoteInference needs a remote backend with inferenceUrl and model.');
  await preflightRemoteBackend(b, o.apiKey);
  const lm = createLM({ baseUrl: b.inferenceUrl, model: b.model, apiKey: o.apiKey, maxConcurrency: o.config.concurrency });
  return { lm, baseModel: b.model, usage: () => lm.usage.snapshot(), close: async () => undefined };
}

/**
 * Inference alone on the local backend: `mmgrpo serve --backend local` in a
 * child process for the run's length (the model is loaded once, not per stage).
 */
export async function openLocalInference(o: { config: MMGRPOConfig; onLog?: (line: string) => void }): Promise<OpenedInference> {
  const proc = await startLocalProcess({ model: o.config.backend.model, onLog: o.onLog });
  const lm = createLM({ baseUrl: proc.baseUrl, model: proc.model, apiKey: proc.token, maxConcurrency: o.config.concurrency, ...CPU_SERVER_LM_LIMITS });
  return { lm, baseModel: proc.model, usage: () => lm.usage.snapshot(), close: () => proc.stop() };
}

/** The opener of a run that never trains, by backend kind (embedded runs always go through a trainer session). */
export function inferenceOpenerFor(config: MMGRPOConfig): InferenceOpener | undefined {
  if (config.backend.kind === 'remote') return openRemoteInference;
  if (config.backend.kind === 'local') return openLocalInference;
  return undefined;
}
