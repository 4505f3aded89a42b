import { randInt, type Random } from '../../util/rng';
import type { Group, GroupMember } from './types';

export function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / (xs.length || 1);
}

/** Sample standard deviation (n - 1), as TRL's GRPO uses for group scaling. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** A group whose rewards are all equal gives every member advantage 0: no signal. */
export function hasZeroVariance(group: Group): boolean {
  const r0 = group.members[0]?.reward;
  return group.members.every((m) => m.reward === r0);
}

/** A = r - mean(group); with scaleRewards, divided by (std + 1e-4). Returns a new group. */
export function withAdvantages(group: Group, scaleRewards: boolean): Group {
  const rewards = group.members.map((m) => m.reward);
  const mu = mean(rewards);
  const denom = scaleRewards ? std(rewards) + 1e-4 : 1;
  return { ...group, members: group.members.map((m) => ({ ...m, advantage: (m.reward - mu) / denom })) };
}

/**
 * Keeps K members maximizing reward diversity: the extremes first, then
 * repeatedly the member farthest (in reward) from those already kept; ties
 * broken by the seeded draw so runs are reproducible.
 */
export function selectKDiverse(group: Group, k: number, rand: Random): Group {
  if (k <= 0 || group.members.length <= k) return group;
  const pool = group.members.slice();
  const take = (i: number) => pool.splice(i, 1)[0];
  const pickBy = (score: (m: GroupMember) => number) => {
    const best = Math.max(...pool.map(score));
    const ties = pool.map((m, i) => (score(m) === best ? i : -1)).filter((i) => i >= 0);
    return take(ties[randInt(rand, ties.length)]);
  };
  const kept: GroupMember[] = [pickBy((m) => m.reward), pickBy((m) => -m.reward)];
  while (kept.length < k) kept.push(pickBy((m) => Math.min(...kept.map((q) => Math.abs(q.reward - m.reward)))));
  kept.sort((a, b) => a.rolloutIndex - b.rolloutIndex || a.call.invocation - b.call.invocation);
  return { ...group, members: kept };
}
