// Run fixtures shared by the run view, report and panel tests: events built in
// code (no recorded files to drift from the schema).
import { tmpdir } from 'node:os';
import type { GroupRecord, ModuleStepStats, RolloutRecord, RunEventInput } from '../../../src/protocol/events';
import { RunWriter, buildManifest } from '../../../src/engine/runs';

export const STAGE = 'mmgrpo';

export function rollout(exampleIndex: number, rolloutIndex: number, reward: number, completion = `answer ${exampleIndex}/${rolloutIndex}`): RolloutRecord {
  return {
    exampleIndex,
    datasetIndex: 100 + exampleIndex,
    rolloutIndex,
    teacher: 'student',
    inputs: { q: `question ${exampleIndex}` },
    trace: [{ module: 'answer', invocation: 0, messages: [{ role: 'user', content: `question ${exampleIndex}` }], completion, inputs: {}, outputs: { a: completion }, latencyMs: 5 }],
    reward,
    rewardKind: 'metric',
  };
}

function stats(module: string, rewardMean: number): ModuleStepStats {
  return { module, groups: 1, trainedGroups: 1, rewardMean, rewardStd: 0, fracRewardZeroStd: 0.5, advantageMin: -1, advantageMax: 1, formatFailureRate: 0, callsMin: 1, callsMean: 1, callsMax: 1 };
}

function group(rollouts: RolloutRecord[]): GroupRecord {
  return { exampleIndex: 0, module: 'answer', invocation: 0, members: rollouts.map((r) => ({ rolloutIndex: r.rolloutIndex, callIndex: 0, reward: r.reward, advantage: r.reward - 0.5, filled: false })), zeroVariance: false, trained: true };
}

export function finished(step: number, rewardMean: number, rs: RolloutRecord[]): RunEventInput {
  return {
    type: 'step_finished', stage: STAGE, step, groups: [group(rs)], modules: [stats('answer', rewardMean)], trainer: { loss: 0.1 },
    rewardMean, rewardStd: 0, rollouts: { total: rs.length, formatFailures: 0, failures: 0 }, budget: { lmCalls: 1, tokens: 1, seconds: 1 },
  };
}

export function manifest(id: string, kind: 'train' | 'eval') {
  return buildManifest({ id, kind, taskName: 'qa', taskFile: '/x/task.ts', seed: 1, config: {}, workspace: tmpdir(), programStateBefore: { version: 1, predictors: { answer: { signature: 'q -> a', instructions: 'Answer briefly.', demos: [] } } } });
}

/** A training run that crashes in step 2, resumes, redoes step 2, then dies during step 3. */
export function writeCrashedTrainRun(dir: string): void {
  const w = RunWriter.create(dir, manifest('train-1', 'train'));
  w.append({ type: 'run_started', runId: 'train-1', kind: 'train', taskName: 'qa', taskFile: '/x/task.ts' });
  w.append({ type: 'eval_finished', stage: STAGE, step: 0, split: 'val', score: 0.2, count: 4, errors: 0 });
  const s1 = [rollout(0, 0, 0), rollout(0, 1, 1)];
  w.append({ type: 'rollouts', stage: STAGE, step: 1, rollouts: s1 });
  w.append(finished(1, 0.5, s1));
  w.append({ type: 'rollouts', stage: STAGE, step: 2, rollouts: [rollout(0, 0, 0, 'lost attempt')] });
  w.append({ type: 'eval_finished', stage: STAGE, step: 2, split: 'val', score: 0.11, count: 4, errors: 0 });
  w.close(); // crash: step 2 never finished
  const r = RunWriter.reopen(dir);
  r.append({ type: 'run_started', runId: 'train-1', kind: 'train', taskName: 'qa', taskFile: '/x/task.ts', resumed: true });
  const s2 = [rollout(0, 0, 1, 'redone'), rollout(0, 1, 1), rollout(0, 2, 0)];
  r.append({ type: 'rollouts', stage: STAGE, step: 2, rollouts: s2 });
  r.append({ type: 'eval_finished', stage: STAGE, step: 2, split: 'val', score: 0.6, count: 4, errors: 0 });
  r.append(finished(2, 2 / 3, s2));
  r.append({ type: 'rollouts', stage: STAGE, step: 3, rollouts: [rollout(0, 0, 1, 'unfinished step')] });
  r.close();
}


/**
 * An in-memory training run (no disk): `steps` finished steps, the last with
 * `rolloutCount` rollouts of 4 per example, for size and speed checks.
 */
export function syntheticRun(rolloutCount: number, steps = 20): import('../../../src/engine/runs').RunRead {
  const m = manifest('synthetic', 'train');
  const events: import('../../../src/protocol/events').RunEvent[] = [];
  let seq = 0;
  const push = (e: RunEventInput) => events.push({ v: 1, seq: seq++, ts: '2026-01-01T00:00:00.000Z', ...e } as import('../../../src/protocol/events').RunEvent);
  for (let step = 1; step <= steps; step++) {
    const n = step === steps ? rolloutCount : 8;
    // Deterministic rewards in [0, 1] without an RNG: a fixed low-discrepancy pattern.
    const rs = Array.from({ length: n }, (_, i) => rollout(Math.floor(i / 4), i % 4, ((i * 0.618) % 1) > 0.5 ? 1 : 0, `completion ${i} `.repeat(20)));
    push({ type: 'rollouts', stage: STAGE, step, rollouts: rs });
    const fin = finished(step, step / steps, rs.slice(0, 4)) as Extract<RunEventInput, { type: 'step_finished' }>;
    const groups = Array.from({ length: Math.ceil(n / 4) }, (_, e) => ({ ...fin.groups[0], exampleIndex: e }));
    push({ ...fin, groups });
    if (step % 5 === 0) push({ type: 'eval_finished', stage: STAGE, step, split: 'val', score: step / (steps + 5), count: 10, errors: 0 });
  }
  return { id: m.id, dir: '/nonexistent', manifest: m, status: 'completed', summary: {}, events, tornTail: false, eventCount: events.length };
}
