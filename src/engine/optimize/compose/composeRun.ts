import type { BudgetSpent, ProgramStateJson, RunEvent, StageSummaryEvent } from '../../../protocol/events';
import { makeAdapter, type Adapter } from '../../adapters';
import { openRun, type OpenedRun, type RunWriter } from '../../runs';
import type { OptimizeRunConfig } from '../runConfig';
import type { LanguageModel } from '../../lm/types';
import type { Example } from '../../tasks/types';
import { backendStructuredOutputs, validateMMGRPOConfig } from '../mmgrpo/config';
import { savedConfigOf, teacherPolicies, type TrainRunOptions } from '../mmgrpo/trainRun';
import { budgetExhausted, NOTHING_SPENT, addSpent } from './budget';
import { runPromptStageWithBudget, runWeightsStageWithBudget } from './stageRuns';
import { SessionHolder, type SessionOpener } from './sessions';
import { compositionNeedsTrainer, inferenceOpenerFor, type InferenceOpener, type OpenedInference } from './remoteInference';
import { planProposer, type ProposerPlan } from './proposerSetup';
import type { PromptStageSettings } from './settings';
import { formatStrategy, parseStrategy, type StagePlan } from './strategy';
import { USE_TRAIN_AS_VAL, valsetOf } from '../../tasks/valset';

/** A composed run takes everything a training run takes, plus the strategy and prompt-search settings. */
export interface ComposeRunOptions extends TrainRunOptions {
  /** `p`, `w`, `p -> w`, `w -> p` or `p -> w -> p`. */
  strategy: string;
  /** Already resolved (resolvePromptSettings): defaults filled in and checked. */
  prompt: PromptStageSettings;
  /** Tests: a scripted session instead of a real backend. */
  openSession?: SessionOpener;
  /** Tests: a scripted inference client instead of the remote inference server (runs that never train). */
  openInference?: InferenceOpener;
  /** Key of the prompt model's server (prompt.promptModel); kept in memory only, never saved with the run. */
  promptApiKey?: string;
  /** Tests: a scripted prompt model instead of prompt.promptModel's server. */
  promptLM?: LanguageModel;
}

export interface StageResult {
  stage: string;
  kind: 'p' | 'w';
  valScore: number;
  checkpointDir?: string;
  promptVersion: string;
}

export interface ComposeRunResult {
  runId: string;
  dir: string;
  status: 'completed' | 'cancelled';
  reason?: string;
  stages: StageResult[];
  /** The stage whose program scored best on val (absent when no stage finished). */
  best?: StageResult & { programState: ProgramStateJson };
  summary: Record<string, number>;
}

/** Where a run stands between stages: the program the next stage starts from. */
export interface Progress {
  programState: ProgramStateJson;
  /** Weights of the current program (checkpoint folder); undefined = the run's starting model. */
  weights: string | undefined;
  /** The weights are still the starting model (warm start may run once). */
  atStart: boolean;
  promptVersion: string;
  /** What finished stages spent. */
  spent: BudgetSpent;
  finished: StageSummaryEvent[];
}

export interface ComposeContext {
  o: ComposeRunOptions;
  writer: RunWriter;
  holder: SessionHolder;
  adapter: Adapter;
  valset: readonly Example[];
  /** Events of earlier attempts (resume). */
  events: readonly RunEvent[];
  /** Who proposes instruction candidates in p stages (its notice opens every p stage's log). */
  proposer: ProposerPlan;
}

/** The outcome of running one stage: a summary when it finished, else why the run stops. */
export interface StageRun {
  summary?: Omit<StageSummaryEvent, 'v' | 'seq' | 'ts' | 'type'>;
  stop?: { status: 'cancelled' | 'budget'; reason: string };
}

/**
 * Prompt optimization composed with MMGRPO in one run: the stages of the
 * strategy run in order, each handing its program (prompts + weights) to the
 * next and being judged on val; the best of them is the run's result.
 */
export async function runComposition(o: ComposeRunOptions): Promise<ComposeRunResult> {
  const plan = parseStrategy(o.strategy);
  const needsTrainer = compositionNeedsTrainer(plan, { warmStartEpochs: o.warmStart.epochs, initFrom: o.initFrom });
  // The config may have been resolved for a run without training: one that trains needs the trainer's URL.
  if (needsTrainer) validateMMGRPOConfig(o.config);
  // Before the run folder exists: an unreachable prompt model leaves nothing behind.
  const proposer = await planProposer({ prompt: o.prompt, config: o.config, promptApiKey: o.promptApiKey, promptLM: o.promptLM, hasPromptStage: plan.some((s) => s.kind === 'p') });
  // Nothing trains on a remote or local backend: only the inference server is needed, started or checked before the run folder exists.
  const byKind = inferenceOpenerFor(o.config);
  const opener = needsTrainer || !byKind ? undefined : (o.openInference ?? byKind);
  const inferenceOnly = opener ? await opener({ config: o.config, apiKey: o.apiKey }) : undefined;
  return runOpened(o, plan, proposer, inferenceOnly);
}

async function runOpened(o: ComposeRunOptions, plan: readonly StagePlan[], proposer: ProposerPlan, inferenceOnly: OpenedInference | undefined): Promise<ComposeRunResult> {
  let opened: OpenedRun;
  try {
    opened = openRun({ kind: 'optimize', task: o.task, taskFile: o.taskFile, workspace: o.workspace, seed: o.config.seed, runsDir: o.runsDir, config: { ...savedConfigOf(o), strategy: formatStrategy(plan), prompt: o.prompt } satisfies OptimizeRunConfig }, o.resumeDir);
  } catch (err) {
    await inferenceOnly?.close().catch(() => undefined);
    throw err;
  }
  const { writer, runId, events } = opened;
  if (o.onEvent) writer.onEvent(o.onEvent);
  const adapter = makeAdapter({ adapter: o.adapter, guidedChoice: o.guidedChoice, structuredOutputs: backendStructuredOutputs(o.config.backend.kind) });
  const holder = new SessionHolder({
    config: o.config, runId, workspace: o.workspace, writer, embedded: o.embedded, apiKey: o.apiKey, open: o.openSession,
    inferenceOnly,
    warmStart: { settings: o.warmStart, program: o.task.program.clone(), task: o.task, adapter },
  });
  try {
    writer.append({ type: 'run_started', runId, kind: 'optimize', taskName: o.task.name, taskFile: o.taskFile, resumed: events.length > 0 });
    teacherPolicies(o.task, o.config.teachers, undefined); // unknown names fail before the backend starts
    const ctx: ComposeContext = { o, writer, holder, adapter, valset: valsetOf(o.task, o.config.useTrainAsVal, USE_TRAIN_AS_VAL), events, proposer };
    const progress = restore(writer.manifest.programStateBefore, events, plan, o.initFrom);
    const stop = await runStages(ctx, plan, progress);
    return finishRun(ctx, runId, plan, progress, stop);
  } catch (err) {
    writer.append({ type: 'run_finished', status: 'failed', error: (err as Error).message, summary: {} });
    throw err;
  } finally {
    await holder.close();
    writer.close();
  }
}

async function runStages(ctx: ComposeContext, plan: readonly StagePlan[], progress: Progress): Promise<StageRun['stop']> {
  for (const stage of plan) {
    if (progress.finished.some((s) => s.stage === stage.name)) continue;
    const why = budgetExhausted(ctx.o.config.budgets, progress.spent);
    if (why) return { status: 'budget', reason: `${why} before stage ${stage.name}; resume with larger budgets to continue` };
    const run = stage.kind === 'p' ? await runPromptStageWithBudget(ctx, stage.name, progress) : await runWeightsStageWithBudget(ctx, stage.name, progress);
    if (run.summary) {
      const event = ctx.writer.append({ type: 'stage_summary', ...run.summary }) as StageSummaryEvent;
      advance(progress, event);
      writeResult(ctx, plan, progress);
    }
    if (run.stop) return run.stop;
  }
  return undefined;
}

function finishRun(ctx: ComposeContext, runId: string, plan: readonly StagePlan[], progress: Progress, stop: StageRun['stop']): ComposeRunResult {
  const stages = progress.finished.map(stageResult);
  const best = bestOf(progress.finished);
  const summary: Record<string, number> = { 'stages/finished': stages.length, 'stages/planned': plan.length };
  for (const s of stages) summary[`${s.stage}/val`] = s.valScore;
  if (best) summary['val/best'] = best.valScore;
  const status = stop ? 'cancelled' : 'completed';
  ctx.writer.append({ type: 'run_finished', status, summary, ...(stop ? { error: stop.reason } : {}) });
  const out: ComposeRunResult = { runId, dir: ctx.writer.dir, status, stages, summary };
  if (stop) out.reason = stop.reason;
  if (best) out.best = { ...stageResult(best), programState: best.programState };
  return out;
}

function stageResult(s: StageSummaryEvent): StageResult {
  const r: StageResult = { stage: s.stage, kind: s.kind, valScore: s.valScore, promptVersion: s.promptVersion };
  if (s.checkpointDir) r.checkpointDir = s.checkpointDir;
  return r;
}

/** Highest val score; the earliest stage wins a tie (fewer changes for the same score). */
export function bestOf(finished: readonly StageSummaryEvent[]): StageSummaryEvent | undefined {
  let best: StageSummaryEvent | undefined;
  for (const s of finished) if (Number.isFinite(s.valScore) && (!best || s.valScore > best.valScore)) best = s;
  return best;
}

/** Rebuilds the program between stages from the summaries of finished stages (resume). */
export function restore(start: ProgramStateJson, events: readonly RunEvent[], plan: readonly StagePlan[], initFrom: string | undefined): Progress {
  const progress: Progress = { programState: start, weights: initFrom, atStart: true, promptVersion: 'start', spent: { ...NOTHING_SPENT }, finished: [] };
  for (const e of events) {
    if (e.type === 'checkpoint_saved' && e.stage === 'warmstart' && e.dir) Object.assign(progress, { weights: e.dir, atStart: false });
  }
  const summaries = new Map<string, StageSummaryEvent>();
  for (const e of events) if (e.type === 'stage_summary') summaries.set(e.stage, e);
  for (const stage of plan) {
    const s = summaries.get(stage.name);
    if (!s) break; // stages run in order: nothing after an unfinished one counts
    advance(progress, s);
  }
  return progress;
}

function advance(progress: Progress, s: StageSummaryEvent): void {
  progress.programState = s.programState;
  progress.promptVersion = s.promptVersion;
  if (s.checkpointDir) progress.weights = s.checkpointDir;
  if (s.kind === 'w') progress.atStart = false;
  progress.spent = addSpent(progress.spent, s.spent);
  progress.finished.push(s);
}

function writeResult(ctx: ComposeContext, plan: readonly StagePlan[], progress: Progress): void {
  const best = bestOf(progress.finished);
  if (!best) return;
  const c = ctx.o.config;
  const result = {
    strategy: formatStrategy(plan),
    bestStage: best.stage,
    bestScore: best.valScore,
    bestCheckpointDir: best.checkpointDir,
    promptVersion: best.promptVersion,
    baseModel: ctx.holder.baseModel,
    backend: c.backend.kind,
    programState: best.programState,
    stages: progress.finished.map(stageResult),
  };
  ctx.writer.writeArtifact('result.json', JSON.stringify(result, null, 2) + '\n');
}
