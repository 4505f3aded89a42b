import type { ModuleCallRecord } from '../../../protocol/trace';
import { randInt, type Random } from '../../util/rng';
import type { FillStrategy, Group, GroupMember, GroupingMode, Rollout } from './types';

/** Calls a rollout made to one module, in order; calls that got no completion cannot be trained on. */
function callsOf(rollout: Rollout, module: string): ModuleCallRecord[] {
  return rollout.trace.filter((c) => c.module === module && c.completion !== null);
}

/** Module names in order of first appearance across the rollouts. */
export function modulesIn(rollouts: readonly Rollout[]): string[] {
  const seen = new Set<string>();
  for (const r of rollouts) for (const c of r.trace) seen.add(c.module);
  return [...seen];
}

/**
 * Forms the groups of one input: per module m and invocation k, the k-th call
 * of m from each rollout. A rollout that never called m contributes nothing
 * to m's groups. Groups with fewer than 2 members carry no comparison and are
 * dropped. Advantages are left at 0 here (see advantages.ts).
 */
export function formGroups(
  exampleIndex: number,
  rollouts: readonly Rollout[],
  mode: GroupingMode,
  fill: FillStrategy | undefined,
  rand: Random,
): Group[] {
  const groups: Group[] = [];
  for (const module of modulesIn(rollouts)) {
    const callers = rollouts.map((r) => ({ r, calls: callsOf(r, module) })).filter((x) => x.calls.length > 0);
    if (callers.length < 2) continue;
    const counts = callers.map((x) => x.calls.length);
    const depth = mode === 'truncate' ? Math.min(...counts) : Math.max(...counts);
    for (let k = 0; k < depth; k++) {
      const members: GroupMember[] = [];
      for (const { r, calls } of callers) {
        const m = memberAt(r, calls, k, mode, fill, rand);
        if (m) members.push(m);
      }
      if (members.length >= 2) groups.push({ exampleIndex, module, invocation: k, members });
    }
  }
  return groups;
}

function memberAt(
  r: Rollout,
  calls: ModuleCallRecord[],
  k: number,
  mode: GroupingMode,
  fill: FillStrategy | undefined,
  rand: Random,
): GroupMember | undefined {
  const base = { rolloutIndex: r.rolloutIndex, reward: r.reward, advantage: 0 };
  if (k < calls.length) return { ...base, call: calls[k], filled: false };
  if (mode !== 'fill') return undefined; // ragged: only rollouts that made a k-th call
  const call = fill === 'max' ? calls[calls.length - 1] : calls[randInt(rand, calls.length)];
  return { ...base, call, filled: true };
}
