import { tmpdir } from 'node:os';
import { buildManifest, RunWriter } from '../../../src/engine/runs';
import type { ModuleStepStats, RolloutRecord, RunEventInput } from '../../../src/protocol/events';

// Runs for the chart tests: a training run of 12 steps whose two modules have
// identical reward curves (one line could hide the other) and trainer health
// metrics, and a prompt-only optimize run (no steps, only prompt scores).

export const TRAIN_ID = 'chart-train';
export const PROMPT_ID = 'chart-prompt';
export const STEPS = 12;
export const MODULES = ['classify', 'reply'] as const;
const STAGE = 'mmgrpo';

const predictors = Object.fromEntries(MODULES.map((m) => [m, { signature: 'q -> a', instructions: 'Answer the question.', demos: [] }]));

function rollout(i: number, reward: number): RolloutRecord {
  return { exampleIndex: Math.floor(i / 4), datasetIndex: i, rolloutIndex: i % 4, teacher: 'student', inputs: { q: `q${i}` }, trace: [], reward, rewardKind: 'metric' };
}

function stats(module: string, step: number): ModuleStepStats {
  const mean = 0.2 + 0.05 * step; // the same for both modules: identical series
  return { module, groups: 2, trainedGroups: 2, rewardMean: mean, rewardStd: 0.1, fracRewardZeroStd: 0.25, advantageMin: -1, advantageMax: 1, formatFailureRate: 0, callsMin: 1, callsMean: 1, callsMax: 1 };
}

function stepEvents(step: number): RunEventInput[] {
  const rs = Array.from({ length: 8 }, (_, i) => rollout(i, (i + step) % 3 === 0 ? 1 : 0));
  const trainer = { 'trainer/loss': 1 / step, 'trainer/kl': 0.001 * step, 'trainer/clip_ratio': 0.02, 'trainer/grad_norm': 3 - step / 6 };
  const out: RunEventInput[] = [
    { type: 'rollouts', stage: STAGE, step, rollouts: rs },
    { type: 'step_finished', stage: STAGE, step, groups: [], modules: MODULES.map((m) => stats(m, step)), trainer, rewardMean: 0.2 + 0.05 * step, rewardStd: 0.1, rollouts: { total: 8, formatFailures: 0, failures: 0 }, budget: { lmCalls: 8, tokens: 100, seconds: 1 } },
  ];
  if (step % 3 === 0) out.push({ type: 'eval_finished', stage: STAGE, step, split: 'val', score: 0.1 + 0.05 * step, count: 10, errors: 0 });
  return out;
}

export function writeTrainRun(dir: string): void {
  const w = RunWriter.create(dir, buildManifest({ id: TRAIN_ID, kind: 'train', taskName: 'charts', taskFile: '/x/task.ts', seed: 1, config: {}, workspace: tmpdir(), programStateBefore: { version: 1, predictors } }));
  try {
    w.append({ type: 'run_started', runId: TRAIN_ID, kind: 'train', taskName: 'charts', taskFile: '/x/task.ts' });
    for (let s = 1; s <= STEPS; s++) for (const e of stepEvents(s)) w.append(e);
    w.append({ type: 'run_finished', status: 'completed', summary: { 'val/score': 0.7, 'mmgrpo/val': 0.7 } });
  } finally {
    w.close();
  }
}

/** Scores of the candidates the p stage accepted, in order. */
export const PROMPT_SCORES = [0.3125, 0.375, 0.4375];

export function writePromptRun(dir: string): void {
  const w = RunWriter.create(dir, buildManifest({ id: PROMPT_ID, kind: 'optimize', taskName: 'charts', taskFile: '/x/task.ts', seed: 1, config: {}, workspace: tmpdir(), programStateBefore: { version: 1, predictors } }));
  try {
    w.append({ type: 'run_started', runId: PROMPT_ID, kind: 'optimize', taskName: 'charts', taskFile: '/x/task.ts' });
    w.append({ type: 'stage_started', stage: 'p1', label: 'Prompt optimization p1' });
    let parent = 'start';
    PROMPT_SCORES.forEach((score, i) => {
      const id = `p1/trial-${i * 2 + 1}`;
      for (const module of MODULES) w.append({ type: 'prompt_candidate', stage: 'p1', module, candidateId: id, parent, instructions: `Answer the question, version ${i + 1}.`, demos: [], score, changed: true });
      parent = id;
    });
    w.append({ type: 'eval_finished', stage: 'p1', split: 'val', score: 0.4375, count: 16, errors: 0 });
    w.append({ type: 'run_finished', status: 'completed', summary: { 'p1/val': 0.4375, 'val/best': 0.4375 } });
  } finally {
    w.close();
  }
}
