import type { Random } from '../../../util/rng';

/**
 * Style hints, one drawn per proposal call: the same grounding with
 * different hints gives the search instructions that really differ.
 * `undefined` = no hint (the plain request is one of the options).
 */
export const PROPOSAL_TIPS: readonly (string | undefined)[] = [
  undefined,
  'Keep it short: one or two plain sentences.',
  'Be specific about what a correct output looks like and which mistakes to avoid.',
  'Describe, step by step, how to get from the inputs to the outputs.',
  'Start by giving the model a fitting expert role for this domain.',
  'Say why exact answers matter here, as if a real customer depended on them.',
  'Name the hard or ambiguous cases visible in the data and say how to settle them.',
  'Word it differently from the current instruction: a fresh angle helps the search.',
];

export function pickTip(rand: Random): string | undefined {
  return PROPOSAL_TIPS[Math.floor(rand() * PROPOSAL_TIPS.length)];
}
