import { evaluate } from '../../evaluate';
import type { LanguageModel } from '../../lm/types';
import { deriveSeed, seededRandom, shuffle } from '../../util/rng';
import type { BootstrapResult, Demo } from '../prompt';
import { proposeInstructions, type ProposalStats } from '../prompt/propose';
import type { PromptStageOptions } from './promptStage';

/** The model that writes instruction candidates in p stages, and how to name it in logs. */
export interface InstructionProposer {
  lm: LanguageModel;
  label: string;
  /** Its server enforces response_format json_schema (the local backend's task model). */
  structuredOutputs?: boolean;
}

export interface StageProposal {
  /** Per module: the current instruction first, then the proposals; absent = no proposal ran. */
  instructionCandidates?: Record<string, string[]>;
  cancelled: boolean;
  detail: Record<string, number>;
}

/**
 * The proposal step of a p stage: one sample run for the program summary
 * (reused from bootstrapping when it recorded one), then the prompt model's
 * candidates per module. Every outcome is logged, including dropped answers.
 */
export async function proposeForStage(o: PromptStageOptions, boot: BootstrapResult, demoSets: Record<string, Demo[][]>): Promise<StageProposal> {
  const n = o.settings.instructionCandidates;
  if (!o.proposer || n === 0) return { cancelled: false, detail: {} };
  const sample = boot.sample ?? (await sampleRun(o));
  if (sample === 'cancelled') return { cancelled: true, detail: {} };
  const r = await proposeInstructions({
    program: o.program, task: o.task, lm: o.proposer.lm, demoSets, sample, perModule: n, temperature: o.settings.proposalTemperature,
    seed: deriveSeed(o.seed, 13), concurrency: o.concurrency, signal: o.signal, structuredOutputs: o.proposer.structuredOutputs,
  });
  const detail = { proposalCalls: r.stats.calls, instructionsProposed: Object.values(r.instructions).reduce((s, l) => s + l.length, 0), proposalsDropped: dropped(r.stats) };
  if (r.cancelled) return { cancelled: true, detail };
  const candidates: Record<string, string[]> = {};
  for (const [module, p] of o.program.namedPredictors()) {
    candidates[module] = [p.instructions, ...r.instructions[module]];
    // The event feeds the panel's list of candidates; the log line is for the terminal.
    o.writer.append({ type: 'prompt_instructions', stage: o.stage, module, instructions: candidates[module], proposer: o.proposer.label, dropped: detail.proposalsDropped });
    o.writer.append({ type: 'log', level: 'info', message: proposedMessage(o.stage, module, candidates[module]) });
  }
  const problems = problemsOf(r.stats);
  if (problems) o.writer.append({ type: 'log', level: 'warn', message: `${o.stage}: instruction proposal by ${o.proposer.label}: ${problems}` });
  if (detail.instructionsProposed === 0) {
    o.writer.append({ type: 'log', level: 'warn', message: `${o.stage}: no usable instruction was proposed; searching over demo sets with the current instructions only.` });
  }
  return { instructionCandidates: candidates, cancelled: false, detail };
}

/** One program run on a seeded train example, when bootstrapping recorded none (maxDemos 0). */
async function sampleRun(o: PromptStageOptions): Promise<BootstrapResult['sample'] | 'cancelled'> {
  const [i] = shuffle(o.task.trainset.map((_, k) => k), seededRandom(deriveSeed(o.seed, 14)));
  if (i === undefined) return undefined;
  const r = await evaluate({ task: o.task, program: o.program, dataset: [o.task.trainset[i]], lm: o.lm, concurrency: 1, sampling: o.sampling, adapter: o.adapter, signal: o.signal });
  if (!r.complete) return 'cancelled';
  const one = r.results[0];
  return one && one.error === undefined ? { trace: one.trace, inputs: one.inputs, passed: false } : undefined;
}

function dropped(s: ProposalStats): number {
  return s.malformed + s.empty + s.tooLong + s.duplicates + s.failed;
}

/** Indexes match `instruction` in the trials' params: 0 is the current instruction. */
function proposedMessage(stage: string, module: string, list: string[]): string {
  const shown = list.slice(1).map((t, k) => `[${k + 1}] ${JSON.stringify(t)}`).join(' ');
  return `${stage}: instruction candidates for ${module}: [0] current${shown ? `, ${shown}` : ' (nothing new was proposed)'}`;
}

function problemsOf(s: ProposalStats): string | undefined {
  const parts: string[] = [];
  if (s.malformed) parts.push(`${s.malformed} malformed answer(s) dropped`);
  if (s.empty) parts.push(`${s.empty} empty answer(s) dropped`);
  if (s.tooLong) parts.push(`${s.tooLong} over-long answer(s) dropped`);
  if (s.duplicates) parts.push(`${s.duplicates} duplicate(s) dropped`);
  if (s.shortened) parts.push(`${s.shortened} answer(s) cut at a sentence end to fit the length limit`);
  if (s.failed) parts.push(`${s.failed} call(s) failed (${s.firstError})`);
  return parts.length ? `${parts.join('; ')} (of ${s.calls} call(s))` : undefined;
}
