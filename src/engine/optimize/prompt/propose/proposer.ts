import type { ModuleCallRecord } from '../../../../protocol/trace';
import { mapPool } from '../../../evaluate/pool';
import { LMError, type LanguageModel } from '../../../lm/types';
import type { Module } from '../../../program/module';
import type { Task } from '../../../tasks/types';
import { deriveSeed, seededRandom } from '../../../util/rng';
import type { Demo } from '../bootstrap';
import { formatDatasetSummary, summarizeDataset } from './datasetSummary';
import { parseProposal } from './parseProposal';
import { PROPOSAL_FIELD, proposalMessages } from './proposalPrompt';
import { formatProgramSummary, summarizeProgram } from './programSummary';
import { pickTip } from './tips';
import { requireWholeNumbers } from '../wholeNumbers';

export interface ProposeOptions {
  program: Module;
  task: Task;
  /** The prompt model. */
  lm: LanguageModel;
  /** Per module: candidate demo sets (set 0 empty); a proposal call shows one non-empty set. */
  demoSets: Record<string, Demo[][]>;
  /** One recorded program run: call order and data flow for the program summary. */
  sample?: { trace: readonly ModuleCallRecord[]; inputs: Record<string, unknown> };
  /** Proposal calls per module (each may yield one instruction). */
  perModule: number;
  temperature: number;
  seed: number;
  concurrency: number;
  /** Longest instruction kept (longer ones are cut at a sentence end, or dropped). Default 600. */
  maxChars?: number;
  /** Completion limit per proposal call. Default 400. */
  maxTokens?: number;
  /**
   * Ask for the answer as JSON with the instruction field, enforced by the server's
   * constrained decoding: a small model rarely writes the marker format unprompted.
   */
  structuredOutputs?: boolean;
  signal?: AbortSignal;
}

export interface ProposalStats {
  calls: number;
  /** Answers not in the requested format. */
  malformed: number;
  /** Answers with an empty instruction. */
  empty: number;
  /** Answers too long to keep (no sentence end within the limit). */
  tooLong: number;
  /** Kept answers cut at a sentence end to fit the limit. */
  shortened: number;
  /** Answers equal to the current instruction or to an earlier proposal. */
  duplicates: number;
  /** Calls that failed after the client's retries. */
  failed: number;
  /** The first failure's message, for the run log. */
  firstError?: string;
}

export interface ProposalResult {
  /** Per module: new instructions (the current one not included), in proposal order. */
  instructions: Record<string, string[]>;
  stats: ProposalStats;
  /** The signal aborted (user cancel or budget stop): the result is partial. */
  cancelled: boolean;
}

/** Completion limit of one proposal call unless the caller sets one (also used by cost estimates). */
export const PROPOSAL_MAX_TOKENS = 400;

/** The answer as JSON, for servers that enforce a schema: what parseProposal's JSON form reads. */
const PROPOSAL_FORMAT = {
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'proposal', strict: true, schema: { type: 'object', properties: { [PROPOSAL_FIELD]: { type: 'string' } }, required: [PROPOSAL_FIELD], additionalProperties: false } },
  },
};

/** Longest instruction kept unless the caller sets a limit. */
export const PROPOSAL_MAX_CHARS = 600;

interface Job {
  module: string;
  moduleIndex: number;
  k: number;
}

/**
 * MIPROv2-style grounded instruction proposal: for every module, `perModule`
 * calls to the prompt model, each seeing the program summary, the data
 * summary, one set of this module's demos and a seeded style tip. A bad
 * answer or a failed call costs that candidate only, never the run.
 */
export async function proposeInstructions(o: ProposeOptions): Promise<ProposalResult> {
  checkOptions(o);
  const maxChars = o.maxChars ?? PROPOSAL_MAX_CHARS;
  const program = formatProgramSummary(summarizeProgram(o.program, o.sample));
  const data = formatDatasetSummary(summarizeDataset(o.task.trainset, { inputs: o.task.inputs, seed: deriveSeed(o.seed, 1) }));
  const named = o.program.namedPredictors();
  const jobs: Job[] = named.flatMap(([module], moduleIndex) => Array.from({ length: o.perModule }, (_, k) => ({ module, moduleIndex, k })));
  const stats: ProposalStats = { calls: 0, malformed: 0, empty: 0, tooLong: 0, shortened: 0, duplicates: 0, failed: 0 };
  let cancelled = false;
  const answers = await mapPool(jobs, o.concurrency, async (job) => {
    const current = named[job.moduleIndex][1].instructions;
    const messages = proposalMessages({ module: job.module, program, data, currentInstruction: current, demos: demosFor(o.demoSets[job.module], job.k), tip: pickTip(seededRandom(deriveSeed(o.seed, 2, job.moduleIndex, job.k))), maxChars });
    stats.calls++;
    try {
      const r = await o.lm.complete({ messages, temperature: o.temperature, max_tokens: o.maxTokens ?? PROPOSAL_MAX_TOKENS, seed: deriveSeed(o.seed, 3, job.moduleIndex, job.k), ...(o.structuredOutputs ? { extraBody: PROPOSAL_FORMAT } : {}) }, o.signal);
      return r.choices[0]?.text ?? '';
    } catch (err) {
      if (o.signal?.aborted || (err instanceof LMError && err.kind === 'aborted')) cancelled = true;
      else {
        stats.failed++;
        stats.firstError ??= (err as Error).message;
      }
      return undefined;
    }
  }, o.signal);
  if (o.signal?.aborted) cancelled = true;
  const instructions = collect(named.map(([m, p]) => [m, p.instructions]), jobs, answers, stats, maxChars);
  return { instructions, stats, cancelled };
}

/** Call k shows non-empty demo set k (cycling), so calls see different demos as in MIPROv2. */
function demosFor(sets: Demo[][] | undefined, k: number): Demo[] {
  const nonEmpty = (sets ?? []).filter((s) => s.length > 0);
  return nonEmpty.length === 0 ? [] : nonEmpty[k % nonEmpty.length];
}

function collect(current: Array<[string, string]>, jobs: Job[], answers: (string | undefined)[], stats: ProposalStats, maxChars: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const seen = new Map<string, Set<string>>(current.map(([m, text]) => [m, new Set([dedupeKey(text)])]));
  for (const [m] of current) out[m] = [];
  jobs.forEach((job, i) => {
    const text = answers[i];
    if (text === undefined) return;
    const parsed = parseProposal(text, maxChars);
    if (!parsed.ok) {
      stats[parsed.reason === 'too_long' ? 'tooLong' : parsed.reason]++;
      return;
    }
    const key = dedupeKey(parsed.instruction);
    const known = seen.get(job.module)!;
    if (known.has(key)) {
      stats.duplicates++;
      return;
    }
    known.add(key);
    if (parsed.shortened) stats.shortened++;
    out[job.module].push(parsed.instruction);
  });
  return out;
}

/** Case, spacing and final punctuation do not make a different instruction. */
function dedupeKey(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').replace(/[\s.!]+$/, '').trim();
}

function checkOptions(o: ProposeOptions): void {
  requireWholeNumbers('proposeInstructions', o, { perModule: 0, concurrency: 1 });
  if (!(o.temperature > 0)) throw new Error(`proposeInstructions: \`temperature\` must be > 0 so proposals differ, got ${String(o.temperature)}.`);
  const maxChars = o.maxChars ?? PROPOSAL_MAX_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 20) throw new Error(`proposeInstructions: \`maxChars\` must be a whole number >= 20, got ${String(o.maxChars)}.`);
}
