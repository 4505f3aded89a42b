import { strict as assert } from 'node:assert';
import { formatScore, formatScoreDelta, isScoreKey, NO_SCORE } from '../../../src/protocol/scoreFormat';

describe('score format (one for CLI, editor, panel and report)', () => {
  it('shows 0..1 scores as a percent with one decimal', () => {
    assert.deepEqual([0, 0.083, 0.375, 0.0833333, 1, 0.9999].map(formatScore), ['0.0%', '8.3%', '37.5%', '8.3%', '100.0%', '100.0%']);
  });

  it('shows a missing score as a dash, never "NaN%"', () => {
    assert.deepEqual([undefined, null, Number.NaN].map(formatScore), [NO_SCORE, NO_SCORE, NO_SCORE]);
  });

  it('shows score differences in signed percentage points', () => {
    assert.deepEqual([0.042, -0.1, 0, undefined].map(formatScoreDelta), ['+4.2 pp', '−10.0 pp', '±0.0 pp', NO_SCORE]);
  });

  it('knows which summary keys are scores (steps and counts are not)', () => {
    assert.deepEqual(['val/score', 'val/start', 'p1/final', 'val/best', 'p1/val', 'mmgrpo/val', 'val/best_step', 'train/steps', 'val/errors', 'stages/finished'].map(isScoreKey), [true, true, true, true, true, true, false, false, false, false]);
  });
});
