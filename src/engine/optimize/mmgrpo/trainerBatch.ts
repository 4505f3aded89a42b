import type { GroupRecord } from '../../../protocol/events';
import type { GRPOGroup } from '../../../protocol/trainer';
import { hasZeroVariance } from './advantages';
import type { Group, Rollout } from './types';

export interface BatchPlan {
  /** Groups in trainer form: the prompt actually sent and the completion actually sampled. */
  batch: GRPOGroup[];
  /** Every group of the step, for the run store (by reference into the rollouts). */
  records: GroupRecord[];
  /** Groups left out because their size differs from num_generations on a trainer that needs it. */
  droppedForSize: number;
}

export interface BatchOptions {
  /** Members per group the trainer was initialized with (Arbor's num_generations). */
  numGenerations: number;
  /** The trainer takes groups of any size (ours); plain Arbor needs exactly numGenerations. */
  variableGroupSize: boolean;
}

/**
 * Turns groups into a trainer batch. Zero-variance groups carry no signal and
 * are not sent. Nothing is re-rendered: messages are the exact prompt (demos
 * included) and the completion is the sampled text, so the update is on-policy.
 * Short groups are never padded with duplicates.
 */
export function planBatch(groups: readonly Group[], rollouts: readonly Rollout[], o: BatchOptions): BatchPlan {
  const byIndex = new Map(rollouts.map((r) => [`${r.exampleIndex}/${r.rolloutIndex}`, r]));
  const batch: GRPOGroup[] = [];
  const records: GroupRecord[] = [];
  let droppedForSize = 0;
  for (const g of groups) {
    const zeroVariance = hasZeroVariance(g);
    const sizeOk = o.variableGroupSize || g.members.length === o.numGenerations;
    if (!zeroVariance && !sizeOk) droppedForSize++;
    const trained = !zeroVariance && sizeOk;
    records.push({
      exampleIndex: g.exampleIndex,
      module: g.module,
      invocation: g.invocation,
      zeroVariance,
      trained,
      members: g.members.map((m) => ({
        rolloutIndex: m.rolloutIndex,
        callIndex: byIndex.get(`${g.exampleIndex}/${m.rolloutIndex}`)?.trace.indexOf(m.call) ?? -1,
        reward: m.reward,
        advantage: m.advantage,
        filled: m.filled,
      })),
    });
    if (!trained) continue;
    batch.push(
      g.members.map((m) => ({
        messages: m.call.messages,
        completion: { role: 'assistant' as const, content: m.call.completion ?? '' },
        reward: m.reward,
        advantage: m.advantage,
        ...(m.call.logprobs?.length ? { logprobs: m.call.logprobs.map((t) => t.logprob) } : {}),
      })),
    );
  }
  return { batch, records, droppedForSize };
}
