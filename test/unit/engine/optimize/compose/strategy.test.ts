import { strict as assert } from 'node:assert';
import { formatStrategy, parseStrategy, STRATEGIES, StrategyError } from '../../../../../src/engine/optimize/compose/strategy';

describe('parseStrategy', () => {
  it('names stages in order: p stages numbered, the weights stage is mmgrpo', () => {
    assert.deepEqual(parseStrategy('p'), [{ kind: 'p', name: 'p1' }]);
    assert.deepEqual(parseStrategy('w'), [{ kind: 'w', name: 'mmgrpo' }]);
    assert.deepEqual(parseStrategy('p -> w'), [{ kind: 'p', name: 'p1' }, { kind: 'w', name: 'mmgrpo' }]);
    assert.deepEqual(parseStrategy('w -> p'), [{ kind: 'w', name: 'mmgrpo' }, { kind: 'p', name: 'p1' }]);
    assert.deepEqual(parseStrategy('p -> w -> p').map((s) => s.name), ['p1', 'mmgrpo', 'p2']);
  });

  it('ignores spacing and case', () => {
    assert.deepEqual(parseStrategy(' P->W ').map((s) => s.kind), ['p', 'w']);
    assert.equal(formatStrategy(parseStrategy('p->w->p')), 'p -> w -> p');
    for (const s of STRATEGIES) assert.equal(formatStrategy(parseStrategy(s)), s);
  });

  it('refuses anything else, listing the strategies it knows', () => {
    for (const bad of ['', 'w -> w', 'p -> p', 'p, w', 'x', 'p -> w -> p -> w', 'p ->']) {
      assert.throws(() => parseStrategy(bad), (err: Error) => {
        assert.ok(err instanceof StrategyError);
        assert.match(err.message, /use one of "p", "w", "p -> w", "w -> p", "p -> w -> p"/);
        return true;
      }, bad);
    }
    assert.throws(() => parseStrategy('w -> w'), /Unknown strategy "w -> w"/);
  });
});
