import { deriveSeed, seededRandom, shuffle } from '../../util/rng';

// Distinct streams of the run seed, so one kind of draw never shifts another.
export const SEED_STREAM = { dataOrder: 1, rollout: 2, grouping: 3, diversity: 4 } as const;

/**
 * Train-set indices of step `step`: B inputs taken in order from per-epoch
 * seeded shuffles. A pure function of (seed, step), so a resumed run picks
 * the very inputs the interrupted one would have.
 */
export function examplesForStep(seed: number, step: number, perStep: number, datasetSize: number): number[] {
  const out: number[] = [];
  const perms = new Map<number, number[]>();
  for (let j = 0; j < perStep; j++) {
    const i = step * perStep + j;
    const epoch = Math.floor(i / datasetSize);
    let perm = perms.get(epoch);
    if (!perm) {
      perm = shuffle(Array.from({ length: datasetSize }, (_, k) => k), seededRandom(deriveSeed(seed, SEED_STREAM.dataOrder, epoch)));
      perms.set(epoch, perm);
    }
    out.push(perm[i % datasetSize]);
  }
  return out;
}

/** Sampling seed of one rollout: same (seed, step, input, rollout) ⇒ same samples on a seeded server. */
export function rolloutSeed(seed: number, step: number, exampleIndex: number, rolloutIndex: number): number {
  return deriveSeed(seed, SEED_STREAM.rollout, step, exampleIndex, rolloutIndex) & 0x7fffffff;
}
