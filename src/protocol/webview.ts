import type { ChatMessage } from './lm';
import type { GroupRecord, ModuleStepStats, RolloutRecord, RunManifest, RunStatus } from './events';

/**
 * The run panel's data and its message plane (extension host <-> webview, and
 * the static HTML report). State always travels as a complete snapshot, never
 * as deltas that could be lost; the webview says `ready` before the host posts.
 */

export interface CurvePoint {
  step: number;
  value: number;
}

export interface ModuleCurve {
  module: string;
  rewardMean: CurvePoint[];
  fracRewardZeroStd: CurvePoint[];
}

export interface StepView {
  step: number;
  rewardMean: number;
  rewardStd: number;
  modules: ModuleStepStats[];
  groups: GroupRecord[];
  trainer: Record<string, number>;
  valScore?: number;
}

/** One module's prompt over a run: start, and each accepted change with its parent. */
export interface PromptVersion {
  id: string;
  parent?: string;
  label: string;
  instructions: string;
  demos: Record<string, unknown>[];
  score?: number;
}

/** One instruction a p stage searched over for a module, with how it fared in the trials. */
export interface InstructionCandidateView {
  /** Index in the stage's list (0 = the module's current instruction). */
  index: number;
  text: string;
  /** Trials whose choice used it. */
  trials: number;
  bestMinibatch?: number;
  bestFull?: number;
  /** The stage's accepted prompt uses it. */
  chosen: boolean;
}

export interface InstructionCandidatesView {
  stage: string;
  module: string;
  proposer: string;
  dropped: number;
  items: InstructionCandidateView[];
}

export interface RunView {
  manifest: RunManifest;
  status: RunStatus;
  summary: Record<string, number>;
  /** Validation score by step. */
  val: CurvePoint[];
  /** Mean rollout reward by step. */
  reward: CurvePoint[];
  modules: ModuleCurve[];
  steps: StepView[];
  /**
   * Rollouts of one step (the selected one), loaded on demand for big runs.
   * `total` is set when `items` was cut short (maxRollouts): the step's full count.
   */
  rollouts: { step: number; items: RolloutRecord[]; total?: number } | null;
  prompts: Record<string, PromptVersion[]>;
  /** Instruction candidates of each p stage and module (runs with instruction proposal). */
  instructionCandidates?: InstructionCandidatesView[];
  /** Bumps with every snapshot so the webview can drop stale ones. */
  revision: number;
}

export type HostToWebview =
  | { type: 'snapshot'; view: RunView }
  | { type: 'compare'; left: RunView; right: RunView }
  | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'selectStep'; step: number }
  | { type: 'openPromptDiff'; module: string; fromVersion: string; toVersion: string }
  | { type: 'openRollout'; step: number; exampleIndex: number; rolloutIndex: number };

export type { ChatMessage };

/** Type guard for messages arriving from the webview: anything else is dropped. */
export function isWebviewMessage(value: unknown): value is WebviewToHost {
  if (value === null || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  const int = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  const str = (x: unknown) => typeof x === 'string' && x.length > 0 && x.length < 500;
  switch (m.type) {
    case 'ready':
      return Object.keys(m).length === 1;
    case 'selectStep':
      return int(m.step);
    case 'openPromptDiff':
      return str(m.module) && str(m.fromVersion) && str(m.toVersion);
    case 'openRollout':
      return int(m.step) && int(m.exampleIndex) && int(m.rolloutIndex);
    default:
      return false;
  }
}
