import type { ProgramStateJson } from '../../../protocol/events';
import type { Adapter } from '../../adapters';
import { evaluate, type EvaluationResult } from '../../evaluate';
import type { LanguageModel, SamplingParams } from '../../lm/types';
import type { Module } from '../../program/module';
import type { Example, Task } from '../../tasks/types';
import { deriveSeed, seededRandom, shuffle } from '../../util/rng';
import type { Demo } from './bootstrap';
import { BudgetGuard, CountingLM, type PromptSearchBudget } from './budget';
import { buildCandidateSpace, flatFromParams, paramsFromFlat, paramsKey, programWith, stateFor, tpeSpaces, type CandidateSpace } from './candidates';
import { BASELINE_CANDIDATE, trialCandidateId, type PromptParams, type PromptSearchEvent } from './events';
import { CategoricalTPE } from './tpe';
import { requireWholeNumbers } from './wholeNumbers';
import { searchExamples } from '../../tasks/valset';

export interface PromptSearchOptions {
  program: Module;
  task: Task;
  lm: LanguageModel;
  adapter?: Adapter;
  /** Per module: candidate demo sets (from bootstrapDemoSets). Absent module: its current demos. */
  demoSets?: Record<string, Demo[][]>;
  /** Per module: candidate instructions. Absent module: its current instruction. */
  instructionCandidates?: Record<string, string[]>;
  trials: number;
  minibatchSize: number;
  /** Fully evaluate the best minibatch candidate after every this many trials (and once at the end). */
  fullEvalEvery: number;
  seed: number;
  concurrency: number;
  sampling?: SamplingParams;
  budget?: PromptSearchBudget;
  tpe?: { gamma?: number; startupTrials?: number };
  onEvent?: (event: PromptSearchEvent) => void;
  signal?: AbortSignal;
}

export interface TrialRecord {
  trial: number;
  candidate: string;
  params: PromptParams;
  minibatch: number[];
  minibatchScore: number;
  /** Score on the whole evaluation set, when this trial's candidate got a full evaluation. */
  fullScore?: number;
}

export interface PromptSearchResult {
  /** State of the best fully evaluated program (the baseline's when nothing beat it). */
  bestState: ProgramStateJson;
  bestScore: number;
  bestCandidate: string;
  baselineScore: number;
  trials: TrialRecord[];
  stoppedBy?: 'budget' | 'cancelled';
  /** LM usage of the search itself. */
  lmCalls: number;
  promptTokens: number;
  completionTokens: number;
}

/** Candidate seen on minibatches; repeated proposals of the same choice average their scores. */
interface Pending {
  id: string;
  trial: number;
  params: PromptParams;
  state: ProgramStateJson;
  sum: number;
  count: number;
}

interface Best {
  id: string;
  state: ProgramStateJson;
  score: number;
}

/**
 * MIPROv2-style search: a TPE proposes an (instruction, demo set) per module,
 * each proposal is scored on a seeded minibatch, and every few trials the
 * most promising proposal is scored on the full set. Only full scores decide
 * the winner, so a lucky minibatch cannot.
 */
export async function optimizePrompts(opts: PromptSearchOptions): Promise<PromptSearchResult> {
  return new PromptSearch(opts).run();
}

class PromptSearch {
  private readonly space: CandidateSpace;
  private readonly meter: CountingLM;
  private readonly guard: BudgetGuard;
  private readonly tpe: CategoricalTPE;
  private readonly evalSet: readonly Example[];
  private readonly baseState: ProgramStateJson;
  private readonly pending = new Map<string, Pending>();
  private readonly fullyEvaluated = new Set<string>();
  private readonly trials: TrialRecord[] = [];
  private best!: Best;
  private baselineScore = 0;
  private stoppedBy: PromptSearchResult['stoppedBy'];

  constructor(private readonly opts: PromptSearchOptions) {
    checkOptions(opts);
    this.space = buildCandidateSpace(opts.program, opts.demoSets, opts.instructionCandidates);
    this.meter = new CountingLM(opts.lm);
    this.guard = new BudgetGuard(opts.budget, this.meter);
    this.tpe = new CategoricalTPE(tpeSpaces(this.space), { seed: deriveSeed(opts.seed, 3), ...opts.tpe });
    this.evalSet = searchExamples(opts.task);
    this.baseState = opts.program.saveState();
  }

  async run(): Promise<PromptSearchResult> {
    await this.evaluateBaseline();
    for (let t = 1; t <= this.opts.trials && !this.stoppedBy; t++) {
      if (this.opts.signal?.aborted) this.stoppedBy = 'cancelled';
      // Reserve a full evaluation: the trial's candidate may deserve one.
      else if (!this.guard.canAfford(this.minibatchSize() + this.evalSet.length)) this.stoppedBy = 'budget';
      else if ((await this.runTrial(t)) && t % this.opts.fullEvalEvery === 0) await this.fullEvalMostPromising();
    }
    if (this.stoppedBy !== 'cancelled') await this.finalFullEval();
    this.emit(this.finished());
    return this.result();
  }

  private async evaluateBaseline(): Promise<void> {
    this.fullyEvaluated.add(JSON.stringify(this.baseState));
    const r = await this.evaluateState(this.baseState, this.evalSet);
    if (!r.complete) this.stoppedBy = 'cancelled';
    this.baselineScore = r.score;
    this.best = { id: BASELINE_CANDIDATE, state: this.baseState, score: r.score };
    this.emit({ type: 'full_eval', trial: 0, candidate: BASELINE_CANDIDATE, score: r.score, best: true });
    this.emitLineage(this.best, null, this.baseState);
  }

  /** Returns false when the trial was cancelled part-way (its score is not trusted). */
  private async runTrial(t: number): Promise<boolean> {
    const params = paramsFromFlat(this.space, this.tpe.suggest());
    this.emit({ type: 'trial_started', trial: t, params });
    const minibatch = shuffle(this.evalSet.map((_, i) => i), seededRandom(deriveSeed(this.opts.seed, 2, t))).slice(0, this.minibatchSize());
    const state = stateFor(this.space, this.baseState, params);
    const r = await this.evaluateState(state, minibatch.map((i) => this.evalSet[i]));
    if (!r.complete) {
      this.stoppedBy = 'cancelled';
      return false;
    }
    this.tpe.observe(flatFromParams(this.space, params), r.score);
    const key = paramsKey(this.space, params);
    const p = this.pending.get(key) ?? { id: trialCandidateId(t), trial: t, params, state, sum: 0, count: 0 };
    p.sum += r.score;
    p.count++;
    this.pending.set(key, p);
    this.trials.push({ trial: t, candidate: p.id, params, minibatch, minibatchScore: r.score });
    this.emit({ type: 'trial_finished', trial: t, params, minibatchScore: r.score, minibatch });
    return true;
  }

  private async finalFullEval(): Promise<void> {
    if (!this.mostPromising()) return;
    if (this.guard.canAfford(this.evalSet.length)) await this.fullEvalMostPromising();
    else this.stoppedBy ??= 'budget';
  }

  /** The unevaluated candidate with the best mean minibatch score (earliest on ties). */
  private mostPromising(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending.values()) {
      if (this.fullyEvaluated.has(JSON.stringify(p.state))) continue;
      if (!best || p.sum / p.count > best.sum / best.count) best = p;
    }
    return best;
  }

  private async fullEvalMostPromising(): Promise<void> {
    const p = this.mostPromising();
    if (!p) return;
    this.fullyEvaluated.add(JSON.stringify(p.state));
    const r = await this.evaluateState(p.state, this.evalSet);
    if (!r.complete) {
      this.stoppedBy = 'cancelled';
      return;
    }
    const record = this.trials.find((x) => x.trial === p.trial);
    if (record) record.fullScore = r.score;
    const better = r.score > this.best.score;
    this.emit({ type: 'full_eval', trial: p.trial, candidate: p.id, score: r.score, best: better });
    if (!better) return;
    const parent = this.best;
    this.best = { id: p.id, state: p.state, score: r.score };
    this.emitLineage(this.best, parent.id, parent.state);
  }

  private emitLineage(accepted: Best, parent: string | null, parentState: ProgramStateJson): void {
    for (const module of this.space.modules) {
      const mine = accepted.state.predictors[module];
      const theirs = parentState.predictors[module];
      const changed = mine.instructions !== theirs.instructions || JSON.stringify(mine.demos) !== JSON.stringify(theirs.demos);
      this.emit({
        type: 'candidate_accepted',
        candidate: accepted.id,
        module,
        instructions: mine.instructions,
        demos: mine.demos.map((d) => ({ ...d })),
        parent,
        changed: parent === null ? false : changed,
        score: accepted.score,
      });
    }
  }

  private evaluateState(state: ProgramStateJson, dataset: readonly Example[]): Promise<EvaluationResult> {
    const { task, adapter, sampling, concurrency, signal } = this.opts;
    const program = programWith(this.opts.program, state);
    return this.guard.measure(dataset.length, () => evaluate({ task, program, dataset, lm: this.meter, adapter, sampling, concurrency, signal }));
  }

  private minibatchSize(): number {
    return Math.min(this.opts.minibatchSize, this.evalSet.length);
  }

  private emit(e: PromptSearchEvent): void {
    this.opts.onEvent?.(e);
  }

  private result(): PromptSearchResult {
    const { calls, promptTokens, completionTokens } = this.meter.reading();
    const out: PromptSearchResult = {
      bestState: this.best.state,
      bestScore: this.best.score,
      bestCandidate: this.best.id,
      baselineScore: this.baselineScore,
      trials: this.trials,
      lmCalls: calls,
      promptTokens,
      completionTokens,
    };
    if (this.stoppedBy) out.stoppedBy = this.stoppedBy;
    return out;
  }

  private finished(): PromptSearchEvent {
    const { id, score } = this.best;
    const e: PromptSearchEvent = { type: 'search_finished', bestCandidate: id, bestScore: score, baselineScore: this.baselineScore, trials: this.trials.length };
    if (this.stoppedBy) e.stoppedBy = this.stoppedBy;
    return e;
  }
}

function checkOptions(opts: PromptSearchOptions): void {
  requireWholeNumbers('optimizePrompts', opts, { trials: 0, minibatchSize: 1, fullEvalEvery: 1, concurrency: 1 });
}
