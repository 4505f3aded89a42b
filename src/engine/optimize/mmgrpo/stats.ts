import { hasZeroVariance, mean, std } from './advantages';
import type { ModuleStepStats } from '../../../protocol/events';
import type { Group, Rollout } from './types';

export type { ModuleStepStats };
import { modulesIn } from './grouping';

export function moduleStats(rollouts: readonly Rollout[], groups: readonly Group[], trained: readonly Group[]): ModuleStepStats[] {
  return modulesIn(rollouts).map((module) => {
    const mine = groups.filter((g) => g.module === module);
    const sent = trained.filter((g) => g.module === module);
    const rewards = mine.flatMap((g) => g.members.map((m) => m.reward));
    const advantages = sent.flatMap((g) => g.members.map((m) => m.advantage));
    const calls = rollouts.flatMap((r) => r.trace.filter((c) => c.module === module));
    const perRollout = rollouts.map((r) => r.trace.filter((c) => c.module === module).length);
    return {
      module,
      groups: mine.length,
      trainedGroups: sent.length,
      rewardMean: mean(rewards),
      rewardStd: std(rewards),
      fracRewardZeroStd: mine.length ? mine.filter(hasZeroVariance).length / mine.length : 0,
      advantageMin: advantages.length ? Math.min(...advantages) : 0,
      advantageMax: advantages.length ? Math.max(...advantages) : 0,
      formatFailureRate: calls.length ? calls.filter((c) => c.parseError).length / calls.length : 0,
      callsMin: Math.min(...perRollout),
      callsMean: mean(perRollout),
      callsMax: Math.max(...perRollout),
    };
  });
}
