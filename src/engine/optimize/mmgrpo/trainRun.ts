import { join } from 'node:path';
import type { RunEvent } from '../../../protocol/events';
import { makeAdapter } from '../../adapters';
import { isProcessAlive, openRun, readRun, storePath } from '../../runs';
import type { TrainRunConfig } from '../runConfig';
import type { Task } from '../../tasks/types';
import { backendStructuredOutputs, ConfigError, type MMGRPOConfig } from './config';
import type { LanguageModel } from '../../lm/types';
import type { RolloutPolicy } from './rollouts';
import { runMMGRPO, type MMGRPOResult } from './loop';
import { openSession, type EmbeddedLaunch, type OpenedSession } from './openSession';
import { resumePointOf } from './resume';
import { runWarmStart, type WarmStartSettings } from './warmStart';

export const WEIGHTS_STAGE = 'mmgrpo';

export interface TrainRunOptions {
  task: Task;
  taskFile: string;
  workspace: string;
  config: MMGRPOConfig;
  warmStart: WarmStartSettings;
  /** Constrain literal outputs with guided_choice (the embedded server and vLLM support it). */
  guidedChoice: boolean;
  adapter: 'chat' | 'json';
  runsDir?: string;
  /** Folder of an interrupted run to continue. */
  resumeDir?: string;
  /** Embedded: start from these saved weights (e.g. a warm-started base model). */
  initFrom?: string;
  embedded?: Partial<EmbeddedLaunch>;
  apiKey?: string;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

export interface TrainRunResult {
  runId: string;
  dir: string;
  /** Weights of the best validation step: the final program's model. */
  bestCheckpointDir?: string;
  status: 'completed' | 'cancelled';
  result: MMGRPOResult;
  summary: Record<string, number>;
}

/** A whole training run: backend up, optional warm start, MMGRPO steps, best checkpoint, run events. */
export async function runTraining(o: TrainRunOptions): Promise<TrainRunResult> {
  const { writer, runId, events } = openRun({ kind: 'train', task: o.task, taskFile: o.taskFile, workspace: o.workspace, seed: o.config.seed, runsDir: o.runsDir, config: savedConfigOf(o) }, o.resumeDir);
  if (o.onEvent) writer.onEvent(o.onEvent);
  let opened: OpenedSession | undefined;
  try {
    writer.append({ type: 'run_started', runId, kind: 'train', taskName: o.task.name, taskFile: o.taskFile, resumed: events.length > 0 });
    teacherPolicies(o.task, o.config.teachers, undefined); // unknown names fail before the backend starts
    const point = resumePointOf(events, WEIGHTS_STAGE);
    const program = o.task.program.clone();
    program.loadState(writer.manifest.programStateBefore);
    const adapter = makeAdapter({ adapter: o.adapter, guidedChoice: o.guidedChoice, structuredOutputs: backendStructuredOutputs(o.config.backend.kind) });
    const warm = o.warmStart.epochs > 0 && point.lastStep < 0;
    opened = await openSession({
      config: o.config,
      runName: runId,
      embedded: { modelDir: storePath(o.workspace, 'models', runId), backendOptions: { seed: o.config.seed }, ...o.embedded },
      initFrom: point.lastCheckpointDir ?? o.initFrom,
      resumeTraining: point.lastCheckpointDir !== undefined,
      apiKey: o.apiKey,
      onWarning: (message) => writer.append({ type: 'log', level: 'warn', message }),
      beforeInitialize: warm
        ? async (trainer, model) => void (await runWarmStart({ program, task: o.task, adapter, trainer, model, writer, settings: o.warmStart, seed: o.config.seed }))
        : undefined,
    });
    const c = o.config;
    const teachers = teacherPolicies(o.task, c.teachers, opened.session.lm);
    writer.append({ type: 'stage_started', stage: WEIGHTS_STAGE, label: `MMGRPO: ${c.steps} steps × ${c.examplesPerStep} inputs × ${c.rolloutsPerExample} rollouts` });
    const result = await runMMGRPO({ config: c, program, teachers, task: o.task, session: opened.session, writer, stage: WEIGHTS_STAGE, adapter, resume: point, signal: o.signal, usage: opened.usage });
    if (result.status === 'completed') writer.append({ type: 'stage_finished', stage: WEIGHTS_STAGE });
    // The final program: frozen prompts plus the weights of the best validation step.
    writer.writeArtifact('result.json', JSON.stringify({ bestStep: result.bestStep, bestScore: result.bestScore, bestCheckpointDir: result.bestCheckpointDir, baseModel: opened.baseModel, backend: c.backend.kind, programState: program.saveState() }, null, 2) + '\n');
    const summary = summarize(readRun(writer.dir, isProcessAlive).events, result);
    const status = result.status === 'completed' ? 'completed' : 'cancelled';
    writer.append({ type: 'run_finished', status, summary, ...(result.reason ? { error: result.reason } : {}) });
    return { runId, dir: writer.dir, status, result, summary, bestCheckpointDir: result.bestCheckpointDir };
  } catch (err) {
    writer.append({ type: 'run_finished', status: 'failed', error: (err as Error).message, summary: {} });
    throw err;
  } finally {
    await opened?.close().catch(() => undefined);
    writer.close();
  }
}

/** The task's teacher programs named in the config, sampling from the trained model too. */
export function teacherPolicies(task: Task, names: readonly string[], lm: LanguageModel | undefined): RolloutPolicy[] {
  const known = Object.keys(task.teachers ?? {});
  return names.map((name) => {
    const program = task.teachers?.[name];
    if (!program) throw new ConfigError(`Unknown teacher "${name}": task "${task.name}" defines ${known.length ? known.join(', ') : 'no teachers (add `teachers: { name: program }` to defineTask)'}.`);
    return { name, program: program.clone(), lm: lm as LanguageModel };
  });
}

/** What run.json keeps so `train --resume` runs with the same settings (read back by savedRunConfig). */
export function savedConfigOf(o: TrainRunOptions): TrainRunConfig {
  const e = o.embedded;
  return { mmgrpo: o.config, initFrom: o.initFrom, warmStart: o.warmStart, guidedChoice: o.guidedChoice, adapter: o.adapter, embedded: { backendModule: e?.backendModule, backendExport: e?.backendExport, backendOptions: e?.backendOptions } };
}

/** Headline numbers from the whole event stream (all attempts of a resumed run). */
export function summarize(events: readonly RunEvent[], r: MMGRPOResult): Record<string, number> {
  const val = new Map<number, number>();
  for (const e of events) if (e.type === 'eval_finished' && e.stage === WEIGHTS_STAGE && e.step !== undefined) val.set(e.step, e.score);
  const steps = [...val.keys()].sort((a, b) => a - b);
  const out: Record<string, number> = { 'train/steps': r.lastStep, 'val/best_step': r.bestStep };
  if (steps.length) {
    out['val/start'] = val.get(steps[0])!;
    out['val/final'] = val.get(steps[steps.length - 1])!;
  }
  if (Number.isFinite(r.bestScore)) out['val/best'] = r.bestScore;
  return out;
}
