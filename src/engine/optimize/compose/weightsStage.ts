import type { ProgramStateJson, RunEvent } from '../../../protocol/events';
import type { Adapter } from '../../adapters';
import type { Module } from '../../program/module';
import type { RunWriter } from '../../runs';
import type { Task } from '../../tasks/types';
import type { MMGRPOConfig } from '../mmgrpo/config';
import { runMMGRPO, type MMGRPOResult } from '../mmgrpo/loop';
import { resumePointOf } from '../mmgrpo/resume';
import { teacherPolicies } from '../mmgrpo/trainRun';
import type { SessionHolder } from './sessions';

export interface WeightsStageOptions {
  stage: string;
  /** Program carrying the frozen prompts. */
  program: Module;
  task: Task;
  /** Config with budgets already reduced by what earlier stages spent. */
  config: MMGRPOConfig;
  adapter: Adapter;
  writer: RunWriter;
  holder: SessionHolder;
  /** Weights the stage starts from when it has no progress yet (undefined = the run's starting model). */
  weights: string | undefined;
  /** True while `weights` are the run's starting model (warm start may run). */
  atStart: boolean;
  /** Events of earlier attempts of this run (resume). */
  events: readonly RunEvent[];
  signal?: AbortSignal;
  /** Read the run's events as written so far (for the stage's closing record). */
  readEvents: () => readonly RunEvent[];
}

export interface WeightsStageOutcome {
  status: 'completed' | 'cancelled' | 'budget';
  reason?: string;
  state: ProgramStateJson;
  valScore: number;
  /** The best validation step's weights: the stage's program. */
  checkpointDir?: string;
  result: MMGRPOResult;
  /** The stage's weights came from the starting model (warm start checkpoint replaces them). */
  startedFrom: string | undefined;
}

/** A `w` stage: MMGRPO on the weights with the prompts frozen, resumable from its last finished step. */
export async function runWeightsStage(o: WeightsStageOptions): Promise<WeightsStageOutcome> {
  const point = resumePointOf(o.events, o.stage);
  const from = point.lastCheckpointDir ?? o.weights;
  // A stage resumed from its own last checkpoint continues that step's optimizer state too.
  const { opened, weights } = await o.holder.serving(from, point.lastStep < 0 && o.atStart, point.lastCheckpointDir !== undefined);
  const c = o.config;
  const teachers = teacherPolicies(o.task, c.teachers, opened.session.lm);
  o.writer.append({ type: 'stage_started', stage: o.stage, label: `MMGRPO (prompts frozen): ${c.steps} steps × ${c.examplesPerStep} inputs × ${c.rolloutsPerExample} rollouts` });
  const result = await runMMGRPO({ config: c, program: o.program, teachers, task: o.task, session: opened.session, writer: o.writer, stage: o.stage, adapter: o.adapter, resume: point, signal: o.signal, usage: opened.usage });
  o.holder.moved(resumePointOf(o.readEvents(), o.stage).lastCheckpointDir);
  const out: WeightsStageOutcome = { status: result.status, state: o.program.saveState(), valScore: result.bestScore, checkpointDir: result.bestCheckpointDir, result, startedFrom: weights };
  if (result.reason) out.reason = result.reason;
  if (result.status !== 'completed') return out;
  closingRecord(o, result);
  o.writer.append({ type: 'stage_finished', stage: o.stage });
  return out;
}

/**
 * The stage's val evaluation is the one of its best step (validation runs at
 * the last step too, so the stage's end is always evaluated): repeated here
 * without a step so every stage ends with one eval_finished of its own.
 */
function closingRecord(o: WeightsStageOptions, r: MMGRPOResult): void {
  let best: Extract<RunEvent, { type: 'eval_finished' }> | undefined;
  for (const e of o.readEvents()) if (e.type === 'eval_finished' && e.stage === o.stage && e.step === r.bestStep) best = e;
  o.writer.append({ type: 'log', level: 'info', message: `${o.stage}: best validation at step ${r.bestStep}; its weights are the stage's program.` });
  o.writer.append({ type: 'eval_finished', stage: o.stage, split: 'val', score: r.bestScore, count: best?.count ?? 0, errors: best?.errors ?? 0 });
}
