import { join } from 'node:path';
import type { RunEvent, RunKind } from '../../protocol/events';
import type { Task } from '../tasks/types';
import { buildManifest } from './manifest';
import { newRunId, runsRoot } from './paths';
import { RunWriter } from './runWriter';

/** What a new run's manifest records besides the engine's own facts. */
export interface NewRunOptions {
  kind: RunKind;
  task: Task;
  taskFile: string;
  workspace: string;
  seed: number;
  /** Settings a resume needs (secrets are redacted by the writer). */
  config: Record<string, unknown>;
  /** Default: the workspace's .mmgrpo/runs. */
  runsDir?: string;
}

export interface OpenedRun {
  writer: RunWriter;
  runId: string;
  /** Events of earlier attempts; empty for a new run. */
  events: RunEvent[];
}

/** Every kind of run opens here: a new run folder with its manifest, or, given `resumeDir`, an interrupted run continued. */
export function openRun(o: NewRunOptions, resumeDir?: string): OpenedRun {
  if (resumeDir) return RunWriter.resume(resumeDir);
  const runId = newRunId(o.task.name);
  const dir = join(o.runsDir ?? runsRoot(o.workspace), runId);
  const manifest = buildManifest({
    id: runId,
    kind: o.kind,
    taskName: o.task.name,
    taskFile: o.taskFile,
    seed: o.seed,
    config: o.config,
    programStateBefore: o.task.program.saveState(),
    workspace: o.workspace,
  });
  return { writer: RunWriter.create(dir, manifest), runId, events: [] };
}
