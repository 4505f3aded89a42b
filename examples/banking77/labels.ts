import subset from './data/subset.json';

/** Coarse category -> intents (derived from the Banking77 intent names, see README). */
export const SUBSET: Record<string, string[]> = subset;
export const CATEGORIES: string[] = Object.keys(SUBSET);
export const INTENTS: string[] = CATEGORIES.flatMap((c) => SUBSET[c]);
