import { strict as assert } from 'node:assert';
import { EtaClock, ETA_MIN_ITEMS, progressLine } from '../../../src/cli/progress';

describe('CLI progress: ETA per stage over a moving window', () => {
  it('restarts the clock when the progress stage changes: 120 quick val items after 10 minutes of rollouts get a seconds ETA', () => {
    const clock = new EtaClock();
    clock.restart(0);
    for (let i = 1; i <= 64; i++) clock.update('mmgrpo', i, 64, i * 9_375); // 64 rollouts over 10 min
    const t0 = 64 * 9_375;
    const first = clock.update('mmgrpo/val', 1, 120, t0 + 100);
    assert.equal(first.etaMs, undefined, 'no ETA from one item');
    assert.equal(first.elapsedMs, 100);
    clock.update('mmgrpo/val', 2, 120, t0 + 200);
    const third = clock.update('mmgrpo/val', 3, 120, t0 + 300);
    assert.ok(third.etaMs !== undefined && Math.abs(third.etaMs - 11_700) < 1, `ETA ${third.etaMs}`);
  });

  it('restarts on a stage change even when the count does not drop (a stage stopped early at 1 item)', () => {
    const clock = new EtaClock();
    clock.restart(0);
    clock.update('p1', 1, 12, 600_000); // one 10-minute trial, then the stage stops at a budget
    assert.equal(clock.update('p1/val', 1, 120, 600_100).elapsedMs, 100);
    clock.update('p1/val', 2, 120, 600_200);
    assert.ok((clock.update('p1/val', 3, 120, 600_300).etaMs ?? Infinity) < 12_000);
  });

  it('shows no ETA before ETA_MIN_ITEMS items, then one', () => {
    const clock = new EtaClock();
    clock.restart(0);
    for (let i = 1; i < ETA_MIN_ITEMS; i++) assert.equal(clock.update('s', i, 100, i * 1000).etaMs, undefined);
    assert.equal(clock.update('s', ETA_MIN_ITEMS, 100, ETA_MIN_ITEMS * 1000).etaMs, (100 - ETA_MIN_ITEMS) * 1000);
  });

  it('follows the recent rate (moving window), not the average since the start', () => {
    const clock = new EtaClock();
    clock.restart(0);
    let t = 0;
    for (let i = 1; i <= 30; i++) clock.update('s', i, 100, (t += 10_000)); // slow start: 10 s per item
    let last: { etaMs?: number } = {};
    for (let i = 31; i <= 60; i++) last = clock.update('s', i, 100, (t += 100)); // then 0.1 s per item
    assert.ok(last.etaMs !== undefined && Math.abs(last.etaMs - 40 * 100) < 1, `ETA ${last.etaMs}`);
  });

  it('restarts when a stage counts again from the start (the next step) and on restart()', () => {
    const clock = new EtaClock();
    clock.restart(0);
    for (let i = 1; i <= 8; i++) clock.update('mmgrpo', i, 8, i * 60_000);
    assert.equal(clock.update('mmgrpo', 1, 8, 8 * 60_000 + 500).elapsedMs, 500);
    clock.restart(1_000_000);
    assert.equal(clock.update('mmgrpo', 1, 8, 1_000_250).elapsedMs, 250);
  });

  it('the bar prints the ETA only when there is one', () => {
    assert.doesNotMatch(progressLine(1, 120, 100, undefined), /ETA/);
    assert.match(progressLine(3, 120, 300, 11_700), /3\/120 0s ETA 12s$/);
  });
});
