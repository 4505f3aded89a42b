import { strict as assert } from 'node:assert';
import type { ModuleCallRecord } from '../../../../../src/protocol/trace';
import { formGroups } from '../../../../../src/engine/optimize/mmgrpo/grouping';
import { withAdvantages } from '../../../../../src/engine/optimize/mmgrpo/advantages';
import { planBatch } from '../../../../../src/engine/optimize/mmgrpo/trainerBatch';
import type { Group, Rollout } from '../../../../../src/engine/optimize/mmgrpo/types';
import { seededRandom } from '../../../../../src/engine/util/rng';

// What reaches the trainer, member by member: which groups are sent, with
// which reward, advantage, prompt, completion and logprobs; and what the run
// store records about the groups that were not sent (issue 18).

function call(module: string, invocation: number, rolloutIndex: number, logprobs?: number[]): ModuleCallRecord {
  return {
    module,
    invocation,
    messages: [{ role: 'user', content: `${module} prompt of rollout ${rolloutIndex}` }],
    completion: `${module}#${invocation} by ${rolloutIndex}`,
    inputs: {},
    latencyMs: 1,
    ...(logprobs ? { logprobs: logprobs.map((logprob, i) => ({ token: `t${i}`, logprob })) } : {}),
  };
}

/** A rollout of input `exampleIndex` calling `pre` once (untrained filler) and then `m` `calls` times. */
function rollout(exampleIndex: number, rolloutIndex: number, reward: number, calls = 1): Rollout {
  const trace = [call('pre', 0, rolloutIndex)];
  for (let k = 0; k < calls; k++) trace.push(call('m', k, rolloutIndex, [-0.5 - rolloutIndex, -1]));
  return { exampleIndex, rolloutIndex, teacher: 'student', trace, reward, rewardKind: 'metric' };
}

function groupsOf(rollouts: Rollout[]): Group[] {
  const byExample = new Map<number, Rollout[]>();
  for (const r of rollouts) byExample.set(r.exampleIndex, [...(byExample.get(r.exampleIndex) ?? []), r]);
  return [...byExample].flatMap(([i, rs]) => formGroups(i, rs, 'ragged', undefined, seededRandom(1)).map((g) => withAdvantages(g, false)));
}

describe('MMGRPO trainer batch', () => {
  // Input 0: three rollouts with rewards 1, 0, 0.5 (a signal); input 1: two rollouts, both 0 (no signal).
  const rollouts = [rollout(0, 0, 1), rollout(0, 1, 0), rollout(0, 2, 0.5), rollout(1, 0, 0), rollout(1, 1, 0)];
  const groups = groupsOf(rollouts);

  it('sends each member with its own reward, advantage, exact prompt, sampled text and logprobs', () => {
    const plan = planBatch(groups, rollouts, { numGenerations: 3, variableGroupSize: false });
    // Group "pre" of input 0 and group "m" of input 0 carry a signal; input 1's groups are flat.
    assert.equal(plan.batch.length, 2);
    const m = plan.batch[1];
    assert.deepEqual(m.map((x) => [x.reward, x.advantage]), [[1, 0.5], [0, -0.5], [0.5, 0]]);
    assert.deepEqual(m.map((x) => x.completion), [0, 1, 2].map((r) => ({ role: 'assistant', content: `m#0 by ${r}` })));
    m.forEach((x, r) => assert.equal(x.messages, rollouts[r].trace[1].messages, 'the prompt object actually sent'));
    assert.deepEqual(m.map((x) => x.logprobs), [[-0.5, -1], [-1.5, -1], [-2.5, -1]]);
    assert.equal('logprobs' in plan.batch[0][0], false, 'no logprobs recorded, none sent');
    assert.equal(plan.droppedForSize, 0);
  });

  it('records every group, trained or not, with where each member\'s call sits in its rollout', () => {
    const plan = planBatch(groups, rollouts, { numGenerations: 3, variableGroupSize: false });
    assert.deepEqual(
      plan.records.map((r) => [r.exampleIndex, r.module, r.invocation, r.zeroVariance, r.trained]),
      [[0, 'pre', 0, false, true], [0, 'm', 0, false, true], [1, 'pre', 0, true, false], [1, 'm', 0, true, false]],
    );
    assert.deepEqual(plan.records[1].members, [
      { rolloutIndex: 0, callIndex: 1, reward: 1, advantage: 0.5, filled: false },
      { rolloutIndex: 1, callIndex: 1, reward: 0, advantage: -0.5, filled: false },
      { rolloutIndex: 2, callIndex: 1, reward: 0.5, advantage: 0, filled: false },
    ]);
    const orphan = planBatch(groups.slice(0, 1), [], { numGenerations: 3, variableGroupSize: true });
    assert.deepEqual(orphan.records[0].members.map((m) => m.callIndex), [-1, -1, -1], 'a member whose rollout is unknown');
  });

  it('on a trainer that needs num_generations members, drops and counts short groups with a signal only', () => {
    // Input 2: rewards 1 and 0 (a signal, but 2 members where 3 are needed).
    const rs = [...rollouts, rollout(2, 0, 1), rollout(2, 1, 0)];
    const gs = groupsOf(rs);
    const strict = planBatch(gs, rs, { numGenerations: 3, variableGroupSize: false });
    assert.equal(strict.droppedForSize, 2, 'input 2\'s two groups; input 1\'s flat groups are not size drops');
    assert.deepEqual(strict.records.filter((r) => r.exampleIndex === 2).map((r) => r.trained), [false, false]);
    assert.equal(strict.batch.length, 2);
    const any = planBatch(gs, rs, { numGenerations: 3, variableGroupSize: true });
    assert.equal(any.droppedForSize, 0);
    assert.equal(any.batch.length, 4);
    assert.deepEqual(any.batch[3].map((x) => x.advantage), [0.5, -0.5]);
    const exact = planBatch(gs, rs, { numGenerations: 2, variableGroupSize: false });
    assert.equal(exact.droppedForSize, 2, 'now input 0\'s groups of 3 are the wrong size');
    assert.deepEqual(exact.batch.map((g) => g.length), [2, 2]);
  });

  it('sends an empty completion for a call without text instead of inventing one', () => {
    const g = groups[1];
    const noText: Group = { ...g, members: g.members.map((m, i) => (i === 0 ? { ...m, call: { ...m.call, completion: null } } : m)) };
    const plan = planBatch([noText], rollouts, { numGenerations: 3, variableGroupSize: false });
    assert.equal(plan.batch[0][0].completion.content, '');
  });
});
