// The accepted composition strategies and their spelling rules, with no imports:
// the extension validates tasks.json and settings with these without pulling in
// the trainer that strategy.ts needs.

/** The BetterTogether strategies the spec asks for: prompts (p) and weights (w) in sequence. */
export const STRATEGIES = ['p', 'w', 'p -> w', 'w -> p', 'p -> w -> p'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

/**
 * The canonical spelling of an accepted strategy (spacing and case do not
 * matter), or undefined for anything else, including non-strings.
 */
export function normalizeStrategy(text: unknown): StrategyName | undefined {
  if (typeof text !== 'string') return undefined;
  const normalized = text.split('->').map((s) => s.trim().toLowerCase()).join(' -> ');
  return (STRATEGIES as readonly string[]).includes(normalized) ? (normalized as StrategyName) : undefined;
}

/** The accepted strategies quoted for messages: `"p", "w", ...`. */
export function strategyList(): string {
  return STRATEGIES.map((s) => `"${s}"`).join(', ');
}
