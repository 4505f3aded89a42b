import { strict as assert } from 'node:assert';
import type { ModuleCallRecord } from '../../../../../src/protocol/trace';
import { formGroups } from '../../../../../src/engine/optimize/mmgrpo/grouping';
import { hasZeroVariance, selectKDiverse, std, withAdvantages } from '../../../../../src/engine/optimize/mmgrpo/advantages';
import { moduleStats } from '../../../../../src/engine/optimize/mmgrpo/stats';
import type { Group, Rollout } from '../../../../../src/engine/optimize/mmgrpo/types';
import { randInt, seededRandom } from '../../../../../src/engine/util/rng';

function call(module: string, invocation: number, completion: string | null = `${module}#${invocation}`): ModuleCallRecord {
  return { module, invocation, messages: [{ role: 'user', content: module }], completion, inputs: {}, latencyMs: 1 };
}

/** A rollout calling each named module the given number of times, interleaved. */
function rollout(rolloutIndex: number, reward: number, counts: Record<string, number>): Rollout {
  const trace: ModuleCallRecord[] = [];
  for (const [m, n] of Object.entries(counts)) for (let k = 0; k < n; k++) trace.push(call(m, k, `r${rolloutIndex}:${m}#${k}`));
  return { exampleIndex: 0, rolloutIndex, teacher: 'student', trace, reward, rewardKind: 'metric' };
}

// Unequal lengths: hop is called 1, 3, 2 and 3 times; "summarize" only by rollouts 0 and 2;
// rollout 3 never calls "summarize" at all.
const unequal = [
  rollout(0, 1, { hop: 1, summarize: 1 }),
  rollout(1, 0, { hop: 3 }),
  rollout(2, 0.5, { hop: 2, summarize: 2 }),
  rollout(3, 0, { hop: 3 }),
];

const shape = (groups: Group[]) => groups.map((g) => `${g.module}[${g.invocation}]:${g.members.map((m) => m.rolloutIndex + (m.filled ? '*' : '')).join(',')}`);

describe('MMGRPO grouping', () => {
  it('truncate keeps k below the smallest count of the rollouts that called the module', () => {
    assert.deepEqual(shape(formGroups(0, unequal, 'truncate', undefined, seededRandom(1))), ['hop[0]:0,1,2,3', 'summarize[0]:0,2']);
  });

  it('ragged keeps every k with the rollouts that have a k-th call, dropping groups under 2', () => {
    assert.deepEqual(shape(formGroups(0, unequal, 'ragged', undefined, seededRandom(1))), [
      'hop[0]:0,1,2,3',
      'hop[1]:1,2,3',
      'hop[2]:1,3',
      'summarize[0]:0,2', // summarize[1] would hold rollout 2 alone: dropped
    ]);
  });

  it('fill/max repeats each short rollout\'s last call; a rollout that never called the module adds nothing', () => {
    const groups = formGroups(0, unequal, 'fill', 'max', seededRandom(1));
    assert.deepEqual(shape(groups), [
      'hop[0]:0,1,2,3',
      'hop[1]:0*,1,2,3',
      'hop[2]:0*,1,2*,3',
      'summarize[0]:0,2',
      'summarize[1]:0*,2',
    ]);
    const filled = groups[2].members.find((m) => m.rolloutIndex === 2)!;
    assert.equal(filled.call.completion, 'r2:hop#1', 'max repeats the last call');
    assert.equal(filled.reward, 0.5, 'a filled member carries its own rollout reward');
  });

  it('fill/randint draws from the rollout\'s own calls, reproducibly with a seed', () => {
    const a = formGroups(0, unequal, 'fill', 'randint', seededRandom(7));
    const b = formGroups(0, unequal, 'fill', 'randint', seededRandom(7));
    assert.deepEqual(a, b);
    for (const g of a) for (const m of g.members) assert.match(m.call.completion!, new RegExp(`^r${m.rolloutIndex}:${g.module}#`));
  });

  it('fill/randint fills every missing call with a uniform seeded draw over the rollout\'s own calls', () => {
    // Rollout 0 calls m 5 times, rollout 1 only 3: invocations 3 and 4 of rollout 1 are filled.
    const rs = [rollout(0, 1, { m: 5 }), rollout(1, 0, { m: 3 })];
    const picks: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const groups = formGroups(0, rs, 'fill', 'randint', seededRandom(seed));
      assert.deepEqual(shape(groups), ['m[0]:0,1', 'm[1]:0,1', 'm[2]:0,1', 'm[3]:0,1*', 'm[4]:0,1*'], 'randint fills like max');
      // The draws are randInt over the 3 calls, in group order, from the same seeded stream.
      const rand = seededRandom(seed);
      for (const g of groups.slice(3)) {
        const filled = g.members.find((m) => m.filled)!;
        const k = Number(filled.call.completion!.split('#')[1]);
        assert.equal(k, randInt(rand, 3), `seed ${seed}, ${g.module}[${g.invocation}]`);
        picks.push(k);
      }
    }
    for (const k of [0, 1, 2]) assert.ok(picks.includes(k), `call ${k} is drawn for some seed (not always the last)`);
  });

  it('two modules with the same prompt stay separate groups (keyed by name, not signature)', () => {
    const rs = [rollout(0, 1, { a: 1, b: 1 }), rollout(1, 0, { a: 1, b: 1 })];
    for (const r of rs) for (const c of r.trace) c.messages = [{ role: 'user', content: 'same' }];
    assert.deepEqual(shape(formGroups(0, rs, 'ragged', undefined, seededRandom(1))), ['a[0]:0,1', 'b[0]:0,1']);
  });

  it('calls that got no completion are not trained on', () => {
    const rs = [rollout(0, 1, { a: 1 }), rollout(1, 0, { a: 1 }), rollout(2, 0, {})];
    rs[2].trace.push(call('a', 0, null));
    assert.deepEqual(shape(formGroups(0, rs, 'ragged', undefined, seededRandom(1))), ['a[0]:0,1']);
  });
});

describe('MMGRPO advantages and diversity', () => {
  const group = (rewards: number[]): Group => ({
    exampleIndex: 0,
    module: 'm',
    invocation: 0,
    members: rewards.map((reward, i) => ({ rolloutIndex: i, call: call('m', 0), reward, advantage: 0, filled: false })),
  });

  it('computes r - mean, scaled by the sample std + 1e-4 when asked', () => {
    const g = withAdvantages(group([1, 0, 0, 1]), false);
    assert.deepEqual(g.members.map((m) => m.advantage), [0.5, -0.5, -0.5, 0.5]);
    const s = withAdvantages(group([1, 0, 0, 1]), true);
    const sd = Math.sqrt(1 / 3); // sample std of [1,0,0,1]
    assert.ok(Math.abs(s.members[0].advantage - 0.5 / (sd + 1e-4)) < 1e-12);
    assert.ok(Math.abs(std([1, 0, 0, 1]) - sd) < 1e-12);
  });

  it('detects zero-variance groups, including all-zero genuine rewards', () => {
    assert.equal(hasZeroVariance(group([0, 0, 0])), true);
    assert.equal(hasZeroVariance(group([0, 0, 1])), false);
    assert.deepEqual(withAdvantages(group([0.3, 0.3]), true).members.map((m) => m.advantage), [0, 0]);
  });

  it('select-K-diverse keeps the extremes and spreads the rest', () => {
    const g = selectKDiverse(group([0.5, 0.5, 0.5, 1, 0.5, 0, 0.5, 0.25]), 3, seededRandom(3));
    const kept = g.members.map((m) => m.reward).sort();
    assert.deepEqual(kept, [0, 0.5, 1]);
    assert.equal(selectKDiverse(group([1, 0]), 4, seededRandom(1)).members.length, 2, 'small groups are kept whole');
  });

  it('module statistics count groups, zero-variance share, format failures and call spread', () => {
    const rs = unequal.map((r) => ({ ...r, trace: r.trace.map((c) => ({ ...c })) }));
    rs[1].trace[0].parseError = { message: 'x', parsedFields: [], missingFields: ['a'], fractionParsed: 0 };
    const groups = formGroups(0, rs, 'ragged', undefined, seededRandom(1)).map((g) => withAdvantages(g, false));
    const trained = groups.filter((g) => !hasZeroVariance(g));
    const stats = moduleStats(rs, groups, trained);
    const hop = stats.find((s) => s.module === 'hop')!;
    assert.equal(hop.groups, 3);
    assert.equal(hop.fracRewardZeroStd, 1 / 3, 'hop[2] holds rollouts 1 and 3, both reward 0');
    assert.equal(hop.formatFailureRate, 1 / 9);
    assert.deepEqual([hop.callsMin, hop.callsMean, hop.callsMax], [1, 2.25, 3]);
    const sum = stats.find((s) => s.module === 'summarize')!;
    assert.deepEqual([sum.callsMin, sum.callsMax], [0, 2]);
  });
});
