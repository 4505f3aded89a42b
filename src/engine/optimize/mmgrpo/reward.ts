import type { MetricOutcome } from '../../evaluate/score';
import type { ProgramRun } from '../../trace';
import type { RewardKind } from './types';

export interface RewardSettings {
  failureScore: number;
  formatFailureScore: number;
}

export interface ScoredReward {
  reward: number;
  kind: RewardKind;
  error?: string;
}

/**
 * The spec's failure scoring. A parse failure earns partial credit by the
 * fraction of output fields that did parse; any other failure earns
 * failureScore; a metric's legitimate 0 stays 0.
 */
export function rewardFor(run: ProgramRun, metric: MetricOutcome | undefined, s: RewardSettings): ScoredReward {
  const err = run.error;
  if (err?.kind === 'parse') {
    const frac = Math.min(1, Math.max(0, err.info.fractionParsed));
    return { reward: s.formatFailureScore + (s.failureScore - s.formatFailureScore) * frac, kind: 'format_failure', error: err.message };
  }
  if (err) return { reward: s.failureScore, kind: 'failure', error: err.message };
  if (!metric) return { reward: s.failureScore, kind: 'failure', error: 'the program produced no outputs to score' };
  if (!metric.ok) return { reward: s.failureScore, kind: 'failure', error: metric.error };
  return { reward: metric.score, kind: 'metric' };
}
