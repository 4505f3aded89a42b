import type { ModuleCallRecord } from '../../../protocol/trace';

import type { RewardKind } from '../../../protocol/events';
import type { FILL_STRATEGIES, GROUPING_MODES } from './configSchema';

export type { RewardKind };

/** One execution of the program on one input, kept whatever happened. */
export interface Rollout {
  /** Index of the input within this step's batch. */
  exampleIndex: number;
  /** Index of the input in the train set (absent in hand-built test rollouts). */
  datasetIndex?: number;
  inputs?: Record<string, unknown>;
  /** 0-based rollout number among the G rollouts of that input. */
  rolloutIndex: number;
  /** Name of the teacher program that produced it ("student" for the program itself). */
  teacher: string;
  trace: ModuleCallRecord[];
  outputs?: Record<string, unknown>;
  reward: number;
  rewardKind: RewardKind;
  error?: string;
}

export interface GroupMember {
  rolloutIndex: number;
  /** The module call this member trains on (its sampled completion and prompt). */
  call: ModuleCallRecord;
  reward: number;
  advantage: number;
  /** True when this member repeats a call to fill a short rollout (`fill` mode). */
  filled: boolean;
}

/** The k-th call of one module across the rollouts of one input. */
export interface Group {
  exampleIndex: number;
  module: string;
  invocation: number;
  members: GroupMember[];
}

export type GroupingMode = (typeof GROUPING_MODES)[number];
export type FillStrategy = (typeof FILL_STRATEGIES)[number];
