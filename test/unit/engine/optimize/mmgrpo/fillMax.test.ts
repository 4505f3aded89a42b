import { strict as assert } from 'node:assert';
import type { ModuleCallRecord } from '../../../../../src/protocol/trace';
import { formGroups } from '../../../../../src/engine/optimize/mmgrpo/grouping';
import type { Rollout } from '../../../../../src/engine/optimize/mmgrpo/types';
import { seededRandom } from '../../../../../src/engine/util/rng';

// `--fill max` must never draw: with one seed a draw can land on the last call
// by chance, so this checks many seeds (a mutant that made max behave like
// randint survived the single-seed test; issue 18).

function rollout(rolloutIndex: number, reward: number, calls: number): Rollout {
  const trace: ModuleCallRecord[] = [];
  for (let k = 0; k < calls; k++) {
    trace.push({ module: 'm', invocation: k, messages: [{ role: 'user', content: 'q' }], completion: `${rolloutIndex}#${k}`, inputs: {}, latencyMs: 1 });
  }
  return { exampleIndex: 0, rolloutIndex, teacher: 'student', trace, reward, rewardKind: 'metric' };
}

describe('MMGRPO grouping: fill max', () => {
  it('repeats the last call of a short rollout for every seed', () => {
    const rs = [rollout(0, 1, 5), rollout(1, 0, 3)];
    for (let seed = 1; seed <= 20; seed++) {
      const groups = formGroups(0, rs, 'fill', 'max', seededRandom(seed));
      const filled = groups.slice(3).map((g) => g.members.find((m) => m.filled)?.call.completion);
      assert.deepEqual(filled, ['1#2', '1#2'], `seed ${seed}`);
    }
  });
});
