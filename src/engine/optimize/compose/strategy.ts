import { WEIGHTS_STAGE } from '../mmgrpo/trainRun';
import { normalizeStrategy, strategyList } from './strategyNames';
import { EXIT, MmgrpoError } from '../../../protocol/errors';

export { STRATEGIES, type StrategyName } from './strategyNames';

export type StageKind = 'p' | 'w';

/** One stage of a composed optimization, with its run-unique name (`p1`, `mmgrpo`, `p2`). */
export interface StagePlan {
  kind: StageKind;
  name: string;
}

export class StrategyError extends MmgrpoError {
  constructor(message: string) {
    super(message, { exitCode: EXIT.usage });
    this.name = 'StrategyError';
  }
}

/**
 * Parses `"p -> w"`-style strategies. Spacing and case do not matter; any
 * other sequence is refused, because only these were shown to help and a
 * second weights stage would retrain from a checkpoint the first one chose.
 */
export function parseStrategy(text: string): StagePlan[] {
  const normalized = normalizeStrategy(text);
  if (!normalized) {
    const raw = typeof text === 'string' ? text : '';
    const shown = raw.trim() ? JSON.stringify(raw) : 'an empty strategy';
    throw new StrategyError(`Unknown strategy ${shown}: use one of ${strategyList()} (p = prompt optimization, w = MMGRPO on the weights, -> = then).`);
  }
  let p = 0;
  return normalized.split(' -> ').map((kind) => (kind === 'w' ? { kind: 'w', name: WEIGHTS_STAGE } : { kind: 'p', name: `p${++p}` }));
}

export function formatStrategy(plan: readonly StagePlan[]): string {
  return plan.map((s) => s.kind).join(' -> ');
}
