import { strict as assert } from 'node:assert';
import { UsageMeter, costOf, type UsageTotals } from '../../../../src/engine/lm/usage';

const usage = (p: number, c: number) => ({ promptTokens: p, completionTokens: c, totalTokens: p + c });

describe('UsageMeter', () => {
  it('sums calls, tokens, retries and cost; cached calls add no tokens', () => {
    const meter = new UsageMeter({ promptPricePerMTok: 2, completionPricePerMTok: 10 });
    const seen: UsageTotals[] = [];
    const unsubscribe = meter.subscribe((t) => seen.push(t));
    meter.record({ usage: usage(1000, 500), cached: false, retries: 2 });
    meter.record({ usage: usage(1000, 500), cached: true, retries: 0 });
    unsubscribe();
    meter.recordFailedRetries(3);
    const snap = meter.snapshot();
    assert.deepEqual(snap, { calls: 2, promptTokens: 1000, completionTokens: 500, cachedCalls: 1, retries: 5, cost: (1000 * 2 + 500 * 10) / 1e6 });
    assert.equal(seen.length, 2);
    assert.equal(seen[1].cachedCalls, 1);
  });

  it('omits cost when no price is configured and rejects negative prices', () => {
    const meter = new UsageMeter();
    meter.record({ usage: usage(10, 5), cached: false, retries: 0 });
    assert.equal('cost' in meter.snapshot(), false);
    assert.equal(costOf(1e6, 0, { promptPricePerMTok: 3 }), 3);
    assert.throws(() => new UsageMeter({ promptPricePerMTok: -1 }), /promptPricePerMTok must be a number >= 0/);
  });
});
