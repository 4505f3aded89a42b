import { isProcessAlive, readRun } from '../../runs';
import { backendStructuredOutputs } from '../mmgrpo/config';
import { resumePointOf } from '../mmgrpo/resume';
import { BudgetedLM, StageClock, addSpent, budgetExhausted, remainingBudgets, type UsageLike } from './budget';
import type { ComposeContext, Progress, StageRun } from './composeRun';
import { runPromptStage } from './promptStage';
import { runWeightsStage } from './weightsStage';

/** A p stage on the current weights, inside what the run's budgets leave. */
export async function runPromptStageWithBudget(ctx: ComposeContext, stage: string, progress: Progress): Promise<StageRun> {
  const { o, writer, holder } = ctx;
  const served = await holder.inference(progress.weights, progress.atStart);
  if (served.weights !== progress.weights) Object.assign(progress, { weights: served.weights, atStart: false });
  const opened = served.opened;
  // A separate prompt model spends too: its calls and tokens count against the run's budgets.
  const external = ctx.proposer.external;
  const clock = new StageClock(() => plus(opened.usage(), external?.reading()));
  const exhausted = () => budgetExhausted(o.config.budgets, addSpent(progress.spent, clock.spent()));
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (o.signal?.aborted) controller.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const lm = new BudgetedLM(opened.lm, exhausted, controller);
  const proposerLM = external ? new BudgetedLM(external, exhausted, controller) : ctx.proposer.useSession ? lm : undefined;
  const left = remainingBudgets(o.config.budgets, progress.spent);
  const program = o.task.program.clone();
  program.loadState(progress.programState);
  try {
    const out = await runPromptStage({
      stage, program, task: o.task, lm, closingLm: opened.lm, adapter: ctx.adapter, settings: o.prompt, valset: ctx.valset,
      seed: o.config.seed, concurrency: o.config.concurrency, sampling: { temperature: 0, max_tokens: o.config.maxTokens }, failureScore: o.config.failureScore,
      writer, parentVersion: progress.promptVersion, instructionNotice: ctx.proposer.notice,
      proposer: proposerLM
        ? { lm: proposerLM, label: external ? `prompt model ${external.model}` : 'the task model', structuredOutputs: !external && backendStructuredOutputs(o.config.backend.kind) }
        : undefined, signal: controller.signal, userSignal: o.signal,
      budget: { maxLMCalls: left.maxLMCalls, maxTokens: left.maxTokens, usage: () => usageOf(clock) },
    });
    if (out.status !== 'completed') {
      const why = lm.reason ?? proposerLM?.reason;
      const budget = why && !o.signal?.aborted;
      const reason = budget ? `${why} during stage ${stage}; it will be redone on resume (give larger budgets)` : `cancelled during stage ${stage}; it will be redone on resume`;
      return { stop: { status: budget ? 'budget' : 'cancelled', reason } };
    }
    const summary: StageRun['summary'] = {
      stage, kind: 'p', valScore: out.valScore, programState: out.state, promptVersion: out.version, spent: clock.spent(), detail: out.detail,
      ...(progress.weights ? { checkpointDir: progress.weights } : {}),
      ...(out.stoppedBy ? { stoppedBy: out.stoppedBy } : {}),
    };
    return { summary };
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

function plus(a: UsageLike, b: UsageLike | undefined): UsageLike {
  if (!b) return { calls: a.calls, promptTokens: a.promptTokens, completionTokens: a.completionTokens };
  return { calls: a.calls + b.calls, promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens };
}

function usageOf(clock: StageClock) {
  const s = clock.spent();
  return { calls: s.lmCalls, promptTokens: s.tokens, completionTokens: 0 };
}

/** The w stage, with budgets reduced by what earlier stages spent. */
export async function runWeightsStageWithBudget(ctx: ComposeContext, stage: string, progress: Progress): Promise<StageRun> {
  const { o, writer } = ctx;
  const program = o.task.program.clone();
  program.loadState(progress.programState);
  const config = { ...o.config, budgets: remainingBudgets(o.config.budgets, progress.spent) };
  const out = await runWeightsStage({
    stage, program, task: o.task, config, adapter: ctx.adapter, writer, holder: ctx.holder, weights: progress.weights, atStart: progress.atStart,
    events: ctx.events, signal: o.signal, readEvents: () => readRun(writer.dir, isProcessAlive).events,
  });
  if (out.status !== 'completed') {
    return { stop: { status: out.status === 'budget' ? 'budget' : 'cancelled', reason: `${out.reason ?? out.status} (stage ${stage}); resume continues from its last finished step` } };
  }
  const spent = resumePointOf(readRun(writer.dir, isProcessAlive).events, stage).budget;
  const r = out.result;
  return {
    summary: {
      stage, kind: 'w', valScore: out.valScore, programState: out.state, promptVersion: progress.promptVersion, spent,
      ...(out.checkpointDir ? { checkpointDir: out.checkpointDir } : {}),
      detail: { steps: r.lastStep, bestStep: r.bestStep, ...(r.valScores[0] !== undefined ? { startScore: r.valScores[0] } : {}) },
    },
  };
}
