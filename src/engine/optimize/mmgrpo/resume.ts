import type { BudgetSpent, RunEvent } from '../../../protocol/events';

/** Where a stage of an interrupted run stands, read back from its events. */
export interface ResumePoint {
  /** Last step whose step_finished was written (0 = only the initial validation, -1 = nothing). */
  lastStep: number;
  /** Checkpoint holding the weights after lastStep. */
  lastCheckpoint?: string;
  lastCheckpointDir?: string;
  bestStep: number;
  bestScore: number;
  bestCheckpointDir?: string;
  budget: BudgetSpent;
}

export const FRESH: ResumePoint = { lastStep: -1, bestStep: -1, bestScore: -Infinity, budget: { lmCalls: 0, tokens: 0, seconds: 0 } };

/**
 * Reads a stage's progress from the event stream. Only completed steps count:
 * a step without its step_finished (crash mid-step) is redone on resume.
 */
export function resumePointOf(events: readonly RunEvent[], stage: string): ResumePoint {
  const point: ResumePoint = { ...FRESH, budget: { ...FRESH.budget } };
  for (const e of events) {
    if (e.type === 'checkpoint_saved' && e.stage === stage) {
      if (e.step === 0 && point.lastStep < 0) {
        point.lastStep = 0;
        point.lastCheckpoint = e.name;
        point.lastCheckpointDir = e.dir;
      }
      if (e.best) {
        point.bestStep = e.step;
        point.bestScore = e.valScore ?? point.bestScore;
        point.bestCheckpointDir = e.dir;
      }
    }
    if (e.type === 'step_finished' && e.stage === stage) {
      point.lastStep = e.step;
      point.lastCheckpoint = e.checkpoint;
      point.lastCheckpointDir = e.checkpointDir;
      point.budget = { ...e.budget };
    }
  }
  return point;
}
