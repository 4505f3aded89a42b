import { WEIGHTS_STAGE } from '../mmgrpo/trainRun';

export type StageKind = 'p' | 'w';

/** One stage of a composed optimization, with its run-unique name (`p1`, `mmgrpo`, `p2`). */
export interface StagePlan {
  kind: StageKind;
  name: string;
}

/** The BetterTogether strategies the spec asks for: prompts (p) and weights (w) in sequence. */
export const STRATEGIES = ['p', 'w', 'p -> w', 'w -> p', 'p -> w -> p'] as const;

export class StrategyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategyError';
  }
}

/**
 * Parses `"p -> w"`-style strategies. Spacing and case do not matter; any
 * other sequence is refused, because only these were shown to help and a
 * second weights stage would retrain from a checkpoint the first one chose.
 */
export function parseStrategy(text: string): StagePlan[] {
  const raw = typeof text === 'string' ? text : '';
  const parts = raw.split('->').map((s) => s.trim().toLowerCase());
  const normalized = parts.join(' -> ');
  if (!(STRATEGIES as readonly string[]).includes(normalized)) {
    const shown = raw.trim() ? JSON.stringify(raw) : 'an empty strategy';
    throw new StrategyError(`Unknown strategy ${shown}: use one of ${STRATEGIES.map((s) => `"${s}"`).join(', ')} (p = prompt optimization, w = MMGRPO on the weights, -> = then).`);
  }
  let p = 0;
  return parts.map((kind) => (kind === 'w' ? { kind: 'w', name: WEIGHTS_STAGE } : { kind: 'p', name: `p${++p}` }));
}

export function formatStrategy(plan: readonly StagePlan[]): string {
  return plan.map((s) => s.kind).join(' -> ');
}
