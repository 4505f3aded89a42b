import { strict as assert } from 'node:assert';
import { CategoricalTPE } from '../../../../../src/engine/optimize/prompt';
import { seededRandom } from '../../../../../src/engine/util/rng';

const BEST: Record<string, number> = { a: 2, b: 4, c: 0 };
const SPACES = { a: 5, b: 5, c: 5 };

/** One point per parameter at its best choice, plus seeded noise so ties are rare. */
function run(seed: number, trials: number) {
  const tpe = new CategoricalTPE(SPACES, { seed });
  const noise = seededRandom(seed + 1);
  const suggestions: Record<string, number>[] = [];
  for (let t = 0; t < trials; t++) {
    const p = tpe.suggest();
    suggestions.push(p);
    const score = Object.keys(BEST).filter((k) => p[k] === BEST[k]).length + 0.3 * noise();
    tpe.observe(p, score);
  }
  return suggestions;
}

describe('CategoricalTPE', () => {
  it('concentrates on the better choice of every parameter far above chance', () => {
    // Over several seeds: one seed may leave a parameter stuck (TPE exploits), the tendency must not.
    const late = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].flatMap((seed) => run(seed, 60).slice(20));
    for (const k of Object.keys(BEST)) {
      const hits = late.filter((p) => p[k] === BEST[k]).length / late.length;
      // Chance is 1/5 = 0.2.
      assert.ok(hits >= 0.6, `parameter ${k}: best choice in only ${(hits * 100).toFixed(0)}% of late trials`);
    }
  });

  it('draws uniformly during the startup trials and beats random search overall', () => {
    const random = new CategoricalTPE(SPACES, { seed: 3, startupTrials: 1000 });
    let randomHits = 0;
    for (let t = 0; t < 60; t++) {
      const p = random.suggest();
      randomHits += Object.keys(BEST).filter((k) => p[k] === BEST[k]).length;
      random.observe(p, 0);
    }
    const tpeHits = run(3, 60).reduce((s, p) => s + Object.keys(BEST).filter((k) => p[k] === BEST[k]).length, 0);
    assert.ok(tpeHits > 2 * randomHits, `TPE ${tpeHits} hits vs random ${randomHits}`);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    assert.deepEqual(run(11, 30), run(11, 30));
    assert.notDeepEqual(run(11, 30), run(12, 30));
  });

  it('always suggests 0 for a one-choice parameter and rejects bad input clearly', () => {
    const tpe = new CategoricalTPE({ only: 1, x: 3 }, { seed: 1, startupTrials: 2 });
    for (let t = 0; t < 10; t++) {
      const p = tpe.suggest();
      assert.equal(p.only, 0);
      tpe.observe(p, p.x);
    }
    assert.throws(() => new CategoricalTPE({ x: 0 }, { seed: 1 }), /parameter "x" must have a whole number of choices >= 1/);
    assert.throws(() => tpe.observe({ only: 0, x: 3 }, 1), /parameter "x" must be an integer in \[0, 2\]/);
    assert.throws(() => tpe.observe({ only: 0, x: 1 }, Number.NaN), /finite number/);
    assert.throws(() => new CategoricalTPE({ x: 2 }, { seed: 1, gamma: 0 }), /gamma must be in/);
  });
});
