import { strict as assert } from 'node:assert';
import { childrenOf, itemOf, stepRollouts, taskNodes, type RunsNode, type TreeRun } from '../../../../src/extension/tree/buildTree';
import type { GroupRecord, RolloutRecord, RolloutsEvent, StepFinishedEvent } from '../../../../src/protocol/events';
import { ev, manifest, run, stats } from '../helpers';

const rollout = (i: number, reward: number): RolloutRecord => ({ exampleIndex: 0, datasetIndex: 0, rolloutIndex: i, teacher: 'student', inputs: {}, trace: [], reward, rewardKind: 'metric' });
const group = (module: string, rewards: number[]): GroupRecord => ({ exampleIndex: 0, module, invocation: 0, members: rewards.map((r, i) => ({ rolloutIndex: i, callIndex: 0, reward: r, advantage: r - 0.5, filled: false })), zeroVariance: false, trained: true });
const finished = (s: number, groups: GroupRecord[]): StepFinishedEvent =>
  ev<StepFinishedEvent>({ type: 'step_finished', stage: 'mmgrpo', step: s, groups, modules: [stats('a'), stats('b')], trainer: {}, rewardMean: 0.5, rewardStd: 0.5, rollouts: { total: 2, formatFailures: 0, failures: 0 }, budget: { lmCalls: 0, tokens: 0, seconds: 0 }, valScore: s === 2 ? 0.5 : undefined });
const rollouts = (s: number, items: RolloutRecord[]) => ev<RolloutsEvent>({ type: 'rollouts', stage: 'mmgrpo', step: s, rollouts: items });

// A run interrupted during step 2, then resumed: step 2's first rollouts must be ignored.
const train = run(manifest({ id: 'r1', taskFile: '/w/a.ts', taskName: 'a-task' }), [
  rollouts(1, [rollout(0, 1), rollout(1, 0)]),
  finished(1, [group('a', [1, 0]), group('b', [1, 0])]),
  rollouts(2, [rollout(0, 0)]),
  rollouts(2, [rollout(0, 1), rollout(1, 1)]),
  finished(2, [group('a', [1, 1])]),
], { status: 'interrupted', summary: { 'val/score': 0.5 } }) as TreeRun;
const evalRun = run(manifest({ id: 'e1', taskFile: '/w/a.ts', taskName: 'a-task', kind: 'eval' }), []) as TreeRun;
const other = run(manifest({ id: 'o1', taskFile: '/w/b.ts', taskName: 'b-task' }), []) as TreeRun;
/** Five minutes after the runs' createdAt in helpers.ts. */
const NOW = Date.parse('2026-11-30T10:05:00.000Z');
const byDir = (d: string) => [train, evalRun, other].find((r) => r.dir === d);

describe('buildTree', () => {
  it('groups runs by task file, newest first as given', () => {
    const tasks = taskNodes([train, evalRun, other]);
    assert.deepEqual(tasks, [
      { kind: 'task', taskFile: '/w/a.ts', taskName: 'a-task', runDirs: ['/runs/r1', '/runs/e1'] },
      { kind: 'task', taskFile: '/w/b.ts', taskName: 'b-task', runDirs: ['/runs/o1'] },
    ]);
    assert.equal(itemOf(tasks[0], byDir).description, '2 runs');
  });

  it('walks run → steps → modules → groups → rollouts', () => {
    const steps = childrenOf({ kind: 'run', runDir: '/runs/r1' }, byDir);
    assert.deepEqual(steps.map((s) => s.kind === 'step' && s.step), [1, 2]);
    const modules = childrenOf(steps[0], byDir);
    assert.deepEqual(modules.map((m) => m.kind === 'module' && m.module), ['a', 'b']);
    const groups = childrenOf(modules[0], byDir);
    assert.equal(groups.length, 1);
    const members = childrenOf(groups[0], byDir);
    assert.deepEqual(members.map((m) => m.kind === 'rollout' && [m.rollout, m.reward]), [[0, 1], [1, 0]]);
    assert.deepEqual(childrenOf(members[0], byDir), []);
    // Step 2 of module b had no groups.
    const s2b: RunsNode = { kind: 'module', runDir: '/runs/r1', stage: 'mmgrpo', step: 2, module: 'b' };
    assert.deepEqual(childrenOf(s2b, byDir), []);
  });

  it('uses the rollouts written last before a step finished (resume redid the step)', () => {
    assert.deepEqual(stepRollouts(train, 'mmgrpo', 2).map((r) => r.reward), [1, 1]);
    assert.deepEqual(stepRollouts(train, 'mmgrpo', 3), []);
  });

  it('describes items with context values that drive the menus', () => {
    const r = itemOf({ kind: 'run', runDir: '/runs/r1' }, byDir, NOW);
    assert.equal(r.contextValue, 'mmgrpoRunResumable');
    assert.equal(r.label, 'Train weights (MMGRPO)');
    assert.equal(r.description, 'interrupted · val 50.0% · 5 min ago');
    assert.equal(r.expandable, true);
    const e = itemOf({ kind: 'run', runDir: '/runs/e1' }, byDir);
    assert.equal(e.contextValue, 'mmgrpoRun', 'eval runs cannot be resumed');
    assert.equal(e.expandable, false);
    assert.match(itemOf({ kind: 'step', runDir: '/runs/r1', stage: 'mmgrpo', step: 2 }, byDir).description!, /val 50\.0%/);
  });

  it('offers Resume for the optimize runs Train and Optimize prompts start, not only for train runs', () => {
    for (const status of ['interrupted', 'cancelled'] as const) {
      const opt = run(manifest({ id: 'p1', taskFile: '/w/a.ts', kind: 'optimize', config: { strategy: 'p -> w' } }), [], { status }) as TreeRun;
      assert.equal(itemOf({ kind: 'run', runDir: opt.dir }, () => opt, NOW).contextValue, 'mmgrpoRunResumable', status);
    }
    const done = run(manifest({ id: 'p2', taskFile: '/w/a.ts', kind: 'optimize' }), [], { status: 'completed' }) as TreeRun;
    assert.equal(itemOf({ kind: 'run', runDir: done.dir }, () => done, NOW).contextValue, 'mmgrpoRun');
  });

  it('tells three runs of one task apart by kind, status, score and age; id and start time in the tooltip', () => {
    const at = (min: number) => new Date(NOW - min * 60_000).toISOString();
    const runs = [
      run(manifest({ id: 'a', taskFile: '/w/a.ts', kind: 'optimize', createdAt: at(2), config: { strategy: 'p -> w' } }), [], { status: 'running' }),
      run(manifest({ id: 'b', taskFile: '/w/a.ts', kind: 'optimize', createdAt: at(90), config: { strategy: 'p' } }), [], { summary: { 'val/score': 0.375 } }),
      run(manifest({ id: 'c', taskFile: '/w/a.ts', kind: 'eval', createdAt: at(3 * 24 * 60) }), [], { status: 'failed' }),
    ] as TreeRun[];
    const items = runs.map((r) => itemOf({ kind: 'run', runDir: r.dir }, () => r, NOW));
    assert.deepEqual(items.map((i) => [i.label, i.description]), [
      ['Train (prompts → weights)', 'running · 2 min ago'],
      ['Optimize prompts', 'completed · val 37.5% · 1 h ago'],
      ['Evaluate', 'failed · 3 d ago'],
    ]);
    assert.match(items[1]!.tooltip!, /Run b \(optimize run\) of t/);
    assert.ok(items[1]!.tooltip!.includes(at(90)), 'the exact start time');
    assert.equal(items[0]!.contextValue, 'mmgrpoRunRunning');
  });

  it('gives every node of a run a distinct id, even a rollout that sits in two groups', () => {
    const ids: string[] = [];
    const walk = (n: RunsNode) => {
      ids.push(itemOf(n, byDir).id);
      childrenOf(n, byDir).forEach(walk);
    };
    taskNodes([train]).forEach(walk);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.length > 10);
  });
});
