import { strict as assert } from 'node:assert';
import type { ModuleCallRecord } from '../../../../../src/protocol/trace';
import { hasZeroVariance, mean, selectKDiverse, std, withAdvantages } from '../../../../../src/engine/optimize/mmgrpo/advantages';
import type { Group } from '../../../../../src/engine/optimize/mmgrpo/types';
import { seededRandom } from '../../../../../src/engine/util/rng';

// Edges of the advantage maths and of select-K-diverse that the main grouping
// tests do not pin down (found by mutation testing, issue 18).

function call(invocation: number): ModuleCallRecord {
  return { module: 'm', invocation, messages: [{ role: 'user', content: 'q' }], completion: `c${invocation}`, inputs: {}, latencyMs: 1 };
}

/** A group whose i-th member has rolloutIndex order[i] (default i) and reward rewards[i]. */
function group(rewards: number[], order: number[] = rewards.map((_, i) => i)): Group {
  return {
    exampleIndex: 0,
    module: 'm',
    invocation: 0,
    members: rewards.map((reward, i) => ({ rolloutIndex: order[i], call: call(0), reward, advantage: 0, filled: false })),
  };
}

const rewardsOf = (g: Group) => g.members.map((m) => m.reward);

describe('MMGRPO advantages: edges', () => {
  it('std is 0 below two samples (not NaN) and uses n - 1 from two samples on', () => {
    assert.equal(std([]), 0);
    assert.equal(std([5]), 0);
    assert.ok(Math.abs(std([0, 2]) - Math.SQRT2) < 1e-12, `std([0, 2]) = ${std([0, 2])}`);
    assert.equal(mean([]), 0);
  });

  it('a one-member group gets a finite advantage 0 when scaled', () => {
    assert.deepEqual(withAdvantages(group([0.7]), true).members.map((m) => m.advantage), [0]);
  });

  it('an empty group has no signal and does not throw', () => {
    assert.equal(hasZeroVariance(group([])), true);
  });
});

describe('MMGRPO select-K-diverse: edges', () => {
  it('returns the group itself when K is 0 or covers every member', () => {
    const g = group([1, 0, 0.5], [2, 0, 1]);
    assert.equal(selectKDiverse(g, 0, seededRandom(1)), g);
    assert.equal(selectKDiverse(g, 3, seededRandom(1)), g, 'K equal to the size keeps the members in their order');
    assert.equal(selectKDiverse(g, 5, seededRandom(1)), g);
  });

  it('does not modify the group it selects from', () => {
    const g = group([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const before = JSON.stringify(g);
    selectKDiverse(g, 3, seededRandom(1));
    assert.equal(JSON.stringify(g), before);
  });

  it('always keeps both extremes, whatever the seed', () => {
    const rewards = [0.5, 0.3, 0.9, 0.1, 0.6, 0.4, 0.7, 0.2];
    for (let seed = 1; seed <= 20; seed++) {
      const kept = rewardsOf(selectKDiverse(group(rewards), 2, seededRandom(seed)));
      assert.deepEqual(kept.slice().sort(), [0.1, 0.9], `seed ${seed}`);
    }
  });

  it('then adds the member farthest in reward from those kept', () => {
    // Extremes 0 and 1 first; 0.5 is 0.5 away from both, 0.9 only 0.1 from 1.
    const kept = rewardsOf(selectKDiverse(group([0.1, 0.9, 0, 0.5, 1, 0.2]), 3, seededRandom(1)));
    assert.deepEqual(kept.slice().sort(), [0, 0.5, 1]);
  });

  it('breaks ties with the seeded draw, not by position', () => {
    // Two members share the top reward: each is kept for some seed.
    const seen = new Set<number>();
    for (let seed = 1; seed <= 30; seed++) {
      const g = selectKDiverse(group([1, 0, 1, 0.5, 0.5]), 2, seededRandom(seed));
      const top = g.members.filter((m) => m.reward === 1);
      assert.equal(top.length, 1, `seed ${seed}: one top member`);
      seen.add(top[0].rolloutIndex);
      assert.deepEqual(g, selectKDiverse(group([1, 0, 1, 0.5, 0.5]), 2, seededRandom(seed)), 'same seed, same pick');
    }
    assert.deepEqual([...seen].sort(), [0, 2]);
  });

  it('returns the kept members in rollout order, then invocation order', () => {
    const g = selectKDiverse(group([0, 0.5, 1, 0.25], [3, 2, 1, 0]), 3, seededRandom(1));
    assert.deepEqual(g.members.map((m) => m.rolloutIndex), [1, 2, 3]);
    const same: Group = {
      ...group([0, 1, 0.5]),
      members: [1, 0, 2].map((inv, i) => ({ rolloutIndex: 0, call: call(inv), reward: [0, 1, 0.5][i], advantage: 0, filled: true })),
    };
    assert.deepEqual(selectKDiverse(same, 2, seededRandom(1)).members.map((m) => m.call.invocation), [0, 1]);
  });
});
