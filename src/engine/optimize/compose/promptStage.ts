import type { ProgramStateJson, RunEventInput } from '../../../protocol/events';
import type { Adapter } from '../../adapters';
import { evaluate } from '../../evaluate';
import type { LanguageModel, SamplingParams } from '../../lm/types';
import type { Module } from '../../program/module';
import type { RunWriter } from '../../runs';
import type { Example, Task } from '../../tasks/types';
import { deriveSeed } from '../../util/rng';
import { bootstrapDemoSets, optimizePrompts, type Demo, type PromptSearchBudget, type PromptSearchEvent } from '../prompt';
import { programWith } from '../prompt/candidates';
import { proposeForStage, type InstructionProposer } from './proposalStep';
import type { PromptStageSettings } from './settings';
import { searchExamples } from '../../tasks/valset';
import { formatScore } from '../../../protocol/scoreFormat';

export interface PromptStageOptions {
  stage: string;
  /** Program carrying the prompts the stage starts from. */
  program: Module;
  task: Task;
  /** The model the program runs on (the session's, i.e. the current weights). */
  lm: LanguageModel;
  adapter: Adapter;
  settings: PromptStageSettings;
  /** The val set the stage is judged on after it finishes. */
  valset: readonly Example[];
  seed: number;
  concurrency: number;
  sampling: SamplingParams;
  /** Score of an example whose program or metric failed (as in MMGRPO validation). */
  failureScore: number;
  writer: RunWriter;
  /** Prompt version the stage starts from (`start`, or an earlier stage's best candidate). */
  parentVersion: string;
  /** Who proposes instruction candidates, or why none are proposed (logged once per stage). */
  instructionNotice: string;
  /** The model that proposes instruction candidates; absent = the search keeps the current instructions. */
  proposer?: InstructionProposer;
  budget?: PromptSearchBudget;
  /** Stops bootstrapping and the search (user cancel or a budget hard stop). */
  signal?: AbortSignal;
  /** Stops the closing val evaluation (user cancel only: that evaluation is part of the stage's result). */
  userSignal?: AbortSignal;
  /** Model for the closing val evaluation when `lm` carries a budget stop (default `lm`). */
  closingLm?: LanguageModel;
}

export interface PromptStageOutcome {
  status: 'completed' | 'cancelled';
  /** The search stopped early at the budget; its result is still complete. */
  stoppedBy?: 'budget';
  state: ProgramStateJson;
  valScore: number;
  /** Prompt version of `state`: parentVersion when nothing beat the starting prompts. */
  version: string;
  detail: Record<string, number>;
}

/**
 * What bootstrapping found, per module by name: "2/1 demo sets" read as a
 * fraction, so each count stands beside its module.
 */
export function demoSetsMessage(stage: string, boot: { tracesPassed: number; tracesRun: number }, demoSets: Record<string, readonly unknown[]>): string {
  const perModule = Object.entries(demoSets).map(([module, sets]) => `${module} ${sets.length}`);
  return `${stage}: ${boot.tracesPassed} of ${boot.tracesRun} teacher runs passed; candidate demo sets (the empty set included): ${perModule.join(', ')}.`;
}

/**
 * A `p` stage: bootstrapped demo sets, instruction candidates from the prompt
 * model (when there is one), a TPE search over both on the current model, and
 * a val evaluation of the winner. Every trial and every accepted
 * candidate (with its parent) goes into the run's events.
 */
export async function runPromptStage(o: PromptStageOptions): Promise<PromptStageOutcome> {
  const s = o.settings;
  const startState = o.program.saveState();
  const cancelled = (detail: Record<string, number> = {}): PromptStageOutcome => ({ status: 'cancelled', state: startState, valScore: NaN, version: o.parentVersion, detail });
  const instr = o.proposer && s.instructionCandidates > 0 ? ` and up to ${s.instructionCandidates + 1} instructions` : '';
  o.writer.append({ type: 'stage_started', stage: o.stage, label: `Prompt optimization ${o.stage}: ${s.trials} trials over ${s.demoSets} demo sets${instr} per module` });
  o.writer.append({ type: 'log', level: 'info', message: o.instructionNotice });
  const boot = await bootstrapDemoSets({
    program: o.program, task: o.task, lm: o.lm, adapter: o.adapter, maxBootstrapped: s.maxDemos, maxLabeled: s.maxDemos,
    numSets: s.demoSets, seed: deriveSeed(o.seed, 11), concurrency: o.concurrency, threshold: s.threshold, signal: o.signal,
  });
  if (boot.cancelled) return cancelled();
  const demoSets = capSets(boot.demoSets, s.maxDemos);
  o.writer.append({ type: 'log', level: 'info', message: demoSetsMessage(o.stage, boot, demoSets) });
  const proposal = await proposeForStage(o, boot, demoSets);
  if (proposal.cancelled) return cancelled(proposal.detail);
  const ids = new CandidateIds(o.stage, o.parentVersion);
  const r = await optimizePrompts({
    program: o.program, task: o.task, lm: o.lm, adapter: o.adapter, demoSets, instructionCandidates: proposal.instructionCandidates, trials: s.trials, minibatchSize: s.minibatchSize,
    fullEvalEvery: s.fullEvalEvery, seed: deriveSeed(o.seed, 12), concurrency: o.concurrency, sampling: o.sampling, budget: o.budget, signal: o.signal,
    onEvent: (e) => ids.record(e, s.trials, o.task).forEach((x) => o.writer.append(x)),
  });
  const detail = { trials: r.trials.length, baselineScore: r.baselineScore, searchScore: r.bestScore, lmCalls: boot.lmCalls + r.lmCalls, ...proposal.detail };
  if (r.stoppedBy === 'cancelled') return cancelled(detail);
  const val = await closingEval(o, r.bestState);
  if (val === undefined) return cancelled(detail); // a val score of 0 is a result, not a cancel
  o.writer.append({ type: 'stage_finished', stage: o.stage });
  const out: PromptStageOutcome = { status: 'completed', state: r.bestState, valScore: val, version: ids.idOf(r.bestCandidate), detail };
  if (r.stoppedBy === 'budget') out.stoppedBy = 'budget';
  return out;
}

/** Caps every set at maxDemos (trace demos come first) and drops sets the cap made identical. */
function capSets(sets: Record<string, Demo[][]>, maxDemos: number): Record<string, Demo[][]> {
  const out: Record<string, Demo[][]> = {};
  for (const [module, list] of Object.entries(sets)) {
    const seen = new Set<string>();
    out[module] = list.map((set) => set.slice(0, maxDemos)).filter((set) => {
      const key = JSON.stringify(set);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  return out;
}

/** The winner on the val set, recorded like any evaluation; undefined when cancelled. */
async function closingEval(o: PromptStageOptions, state: ProgramStateJson): Promise<number | undefined> {
  let done = 0;
  const r = await evaluate({
    task: o.task, program: programWith(o.program, state), dataset: o.valset, lm: o.closingLm ?? o.lm, concurrency: o.concurrency,
    failureScore: o.failureScore, sampling: o.sampling, adapter: o.adapter, signal: o.userSignal,
    onExample: (ex) => {
      o.writer.append({ type: 'example_evaluated', stage: o.stage, split: 'val', ...ex });
      o.writer.append({ type: 'progress', stage: `${o.stage}/val`, done: ++done, total: o.valset.length });
    },
  });
  if (!r.complete) return undefined;
  o.writer.append({ type: 'eval_finished', stage: o.stage, split: 'val', score: r.score, count: r.count, errors: r.errors });
  return r.score;
}

/**
 * Turns the search's events into run events with run-unique candidate ids:
 * a choice keeps the id of the trial that first proposed it, and the
 * search's baseline is the prompt version the stage started from.
 */
class CandidateIds {
  private readonly firstTrial = new Map<string, number>();

  constructor(private readonly stage: string, private readonly parentVersion: string) {}

  idOf(candidate: string | null): string {
    if (candidate === null || candidate === 'baseline') return this.parentVersion;
    return `${this.stage}/${candidate}`;
  }

  record(e: PromptSearchEvent, trials: number, task: Task): RunEventInput[] {
    const stage = this.stage;
    const evalSize = searchExamples(task).length;
    switch (e.type) {
      case 'trial_finished': {
        const key = JSON.stringify(e.params);
        if (!this.firstTrial.has(key)) this.firstTrial.set(key, e.trial);
        const candidateId = `${stage}/trial-${this.firstTrial.get(key)}`;
        return [
          { type: 'prompt_trial', stage, trial: e.trial, candidateId, scope: 'minibatch', score: e.minibatchScore, size: e.minibatch.length, params: e.params },
          { type: 'progress', stage, done: e.trial, total: trials },
        ];
      }
      case 'full_eval':
        return [{ type: 'prompt_trial', stage, trial: e.trial, candidateId: this.idOf(e.candidate), scope: 'full', score: e.score, size: evalSize, best: e.best }];
      case 'candidate_accepted':
        // The baseline is the version the stage started from: already known, not a new one.
        if (e.parent === null) return [];
        return [{ type: 'prompt_candidate', stage, module: e.module, candidateId: this.idOf(e.candidate), parent: this.idOf(e.parent), instructions: e.instructions, demos: e.demos, score: e.score, changed: e.changed }];
      case 'search_finished':
        return [{ type: 'log', level: 'info', message: `${stage}: best ${this.idOf(e.bestCandidate)} at ${formatScore(e.bestScore)} (start ${formatScore(e.baselineScore)}) after ${e.trials} trials${e.stoppedBy ? `; stopped by ${e.stoppedBy}` : ''}` }];
      default:
        return [];
    }
  }
}
