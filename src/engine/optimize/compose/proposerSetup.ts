import { createLM, lmConfigFromEnv } from '../../lm';
import { preflightLM, type PreflightHints } from '../../lm/preflight';
import { LMError, type LanguageModel } from '../../lm/types';
import { backendWrites, type MMGRPOConfig } from '../mmgrpo/config';
import { CountingLM } from '../prompt/budget';
import type { PromptStageSettings } from './settings';

/** Where the key of a separate prompt model comes from (first set wins); never a saved setting. */
export const PROMPT_API_KEY_ENV = ['MMGRPO_PROMPT_API_KEY', 'MMGRPO_API_KEY', 'OPENAI_API_KEY'] as const;

export interface ProposerPlan {
  /** Logged at the start of every p stage: who proposes instructions, or why nobody does. */
  notice: string;
  /** A prompt model apart from the task model, metered so budgets and stage spending include it. */
  external?: CountingLM;
  /** The task model (remote or local backend) proposes with the stage's own budgeted client. */
  useSession: boolean;
}

/** True when p stages will propose instructions (the dry run counts them). */
export function proposalActive(prompt: PromptStageSettings, config: MMGRPOConfig): boolean {
  return (prompt.instructionCandidates ?? 0) > 0 && (prompt.promptModel !== undefined || backendWrites(config.backend.kind));
}

/**
 * Decides who writes instruction candidates, before the run starts: a
 * separate prompt model (checked with one GET /models, so a wrong URL, key or
 * name fails now and not after bootstrapping), else a remote task model
 * or local task model (MIPROv2's default), else nobody: the embedded model cannot write.
 */
export async function planProposer(o: { prompt: PromptStageSettings; config: MMGRPOConfig; promptApiKey?: string; promptLM?: LanguageModel; hasPromptStage: boolean }): Promise<ProposerPlan> {
  const n = o.prompt.instructionCandidates ?? 0;
  if (n === 0) return { notice: 'instruction proposal off (instructionCandidates is 0); searching over demo sets with the current instructions.', useSession: false };
  if (o.promptLM) return { notice: proposing(`prompt model ${o.promptLM.model}`, n), external: new CountingLM(o.promptLM), useSession: false };
  if (o.prompt.promptModel !== undefined) {
    const baseUrl = o.prompt.promptBaseUrl!;
    const model = o.prompt.promptModel;
    if (o.hasPromptStage) await checkReachable(baseUrl, model, o.promptApiKey);
    const lm = createLM({ baseUrl, model, apiKey: o.promptApiKey, maxConcurrency: Math.min(8, o.config.concurrency) });
    return { notice: proposing(`prompt model ${model} at ${baseUrl}`, n), external: new CountingLM(lm), useSession: false };
  }
  if (backendWrites(o.config.backend.kind)) {
    return { notice: proposing(`the task model${o.config.backend.model ? ` ${o.config.backend.model}` : ''} (set --prompt-model to use another)`, n), useSession: true };
  }
  return {
    notice: 'instruction proposal skipped: the embedded model cannot write instructions; searching over demo sets only. To propose instructions, give a prompt model on an OpenAI-compatible server: --prompt-model <name> --prompt-base-url <url>.',
    useSession: false,
  };
}

function proposing(who: string, n: number): string {
  return `instructions proposed by ${who}: ${n} candidate(s) per module, searched together with the demo sets.`;
}

/** The wrapper below names the prompt model's flags; the task model's ones would mislead. */
const NO_HINTS: PreflightHints = { baseUrl: '', model: '', apiKey: '' };

async function checkReachable(baseUrl: string, model: string, apiKey: string | undefined): Promise<void> {
  try {
    await preflightLM({ baseUrl, model, apiKey, timeoutMs: 15_000 }, fetch, NO_HINTS);
  } catch (err) {
    if (!(err instanceof LMError)) throw err;
    const hint = `The prompt model is set with --prompt-model and --prompt-base-url (promptModel/promptBaseUrl in the config); its key comes from ${PROMPT_API_KEY_ENV.join(', else ')}.`;
    throw new LMError(err.kind, `Prompt model "${model}" at ${baseUrl}: ${err.message} ${hint}`, err.status);
  }
}

/**
 * The prompt model's key from the environment (first of PROMPT_API_KEY_ENV
 * that is set): its own variable, else the task model's key.
 */
export function promptApiKeyFromEnv(env: Record<string, string | undefined> = process.env): string | undefined {
  return env.MMGRPO_PROMPT_API_KEY?.trim() || lmConfigFromEnv(env).apiKey;
}
