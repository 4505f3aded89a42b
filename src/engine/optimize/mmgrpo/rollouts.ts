import type { Adapter } from '../../adapters';
import { applyMetric } from '../../evaluate/score';
import { mapPool } from '../../evaluate/pool';
import type { LanguageModel } from '../../lm/types';
import type { Module } from '../../program/module';
import type { Example, Metric } from '../../tasks/types';
import { programNames, runProgram } from '../../trace';
import { rolloutSeed } from './dataOrder';
import { rewardFor, type RewardSettings } from './reward';
import type { Rollout } from './types';

/** A program that produces rollouts: the student, or a teacher (off-policy data). */
export interface RolloutPolicy {
  name: string;
  program: Module;
  lm: LanguageModel;
}

export interface RolloutBatchOptions {
  step: number;
  seed: number;
  examples: readonly { datasetIndex: number; example: Example; inputs: Record<string, unknown> }[];
  rolloutsPerExample: number;
  /** Rollout g of an input uses policies[g % policies.length]; policies[0] is the student. */
  policies: readonly RolloutPolicy[];
  metric: Metric;
  rewards: RewardSettings;
  temperature: number;
  maxTokens: number;
  /** Ask the server for per-token logprobs (needed for live clipping). */
  logprobs: boolean;
  adapter: Adapter;
  concurrency: number;
  signal?: AbortSignal;
  onRollout?: (rollout: Rollout) => void;
}

export interface RolloutBatch {
  rollouts: Rollout[];
  /** False when cancelled: the step must not be trained on. */
  complete: boolean;
}

/** Runs G rollouts per input with bounded concurrency; every rollout is kept and scored. */
export async function runRolloutBatch(o: RolloutBatchOptions): Promise<RolloutBatch> {
  const jobs = o.examples.flatMap((ex, exampleIndex) => Array.from({ length: o.rolloutsPerExample }, (_, rolloutIndex) => ({ ex, exampleIndex, rolloutIndex })));
  let aborted = false;
  // Each policy's predictors are walked once for the batch, not once per rollout.
  const names = o.policies.map((p) => programNames(p.program));
  const results = await mapPool(
    jobs,
    o.concurrency,
    async ({ ex, exampleIndex, rolloutIndex }): Promise<Rollout | undefined> => {
      const policyIndex = rolloutIndex % o.policies.length;
      const policy = o.policies[policyIndex];
      const run = await runProgram(policy.program, ex.inputs, {
        lm: policy.lm,
        adapter: o.adapter,
        signal: o.signal,
        sampling: {
          temperature: o.temperature,
          max_tokens: o.maxTokens,
          seed: rolloutSeed(o.seed, o.step, exampleIndex, rolloutIndex),
          logprobs: o.logprobs || undefined,
        },
      }, names[policyIndex]);
      if (run.error?.kind === 'aborted') {
        aborted = true;
        return undefined;
      }
      const metric = run.outputs && !run.error ? await applyMetric(o.metric, ex.example, run.outputs, run.trace) : undefined;
      const scored = rewardFor(run, metric, o.rewards);
      const rollout: Rollout = {
        exampleIndex,
        datasetIndex: ex.datasetIndex,
        rolloutIndex,
        teacher: policy.name,
        inputs: ex.inputs,
        trace: run.trace,
        outputs: run.outputs,
        reward: scored.reward,
        rewardKind: scored.kind,
        ...(scored.error !== undefined ? { error: scored.error } : {}),
      };
      o.onRollout?.(rollout);
      return rollout;
    },
    o.signal,
  );
  const rollouts = results.filter((r): r is Rollout => r !== undefined);
  return { rollouts, complete: !aborted && rollouts.length === jobs.length };
}
