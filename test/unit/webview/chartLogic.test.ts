import { strict as assert } from 'node:assert';
import { buildRunView } from '../../../src/engine/runs/runView';
import { alignSeries, isUnitRange, seriesStyle } from '../../../src/webview/chartData';
import { promptScoreCurve, trainerCurves } from '../../../src/webview/overview';
import { syntheticRun } from './fixtures';

describe('chart data (DOM-free)', () => {
  it('aligns series on the union of their steps, with gaps as null', () => {
    const a = alignSeries([
      { name: 'a', points: [{ step: 1, value: 0.5 }, { step: 3, value: 0.7 }] },
      { name: 'b', points: [{ step: 2, value: 0.1 }, { step: 3, value: Number.NaN }] },
    ]);
    assert.deepEqual(a, { xs: [1, 2, 3], ys: [[0.5, null, 0.7], [null, 0.1, null]] });
    assert.equal(isUnitRange(a), true);
    assert.equal(isUnitRange(alignSeries([{ name: 'loss', points: [{ step: 1, value: 2.3 }] }])), false);
  });

  it('draws every series of a chart with its own dash and marker, so identical series stay visible', () => {
    const looks = Array.from({ length: 6 }, (_, i) => JSON.stringify(seriesStyle(i)));
    assert.equal(new Set(looks).size, looks.length, looks.join('\n'));
    assert.notDeepEqual(seriesStyle(0).dash, seriesStyle(1).dash);
  });

  it('finds the trainer curves (loss, KL, clip ratio, grad norm) in the steps', () => {
    const view = buildRunView(syntheticRun(8, 3));
    view.steps.forEach((s, i) => (s.trainer = { 'trainer/loss': 1 - i / 10, 'trainer/kl': i / 100, 'trainer/grad_norm': 2, tokens: 5 }));
    const c = trainerCurves(view.steps);
    assert.deepEqual(c.map((x) => x.key), ['trainer/loss', 'trainer/kl', 'trainer/grad_norm']);
    assert.deepEqual(c[0].points, [{ step: 1, value: 1 }, { step: 2, value: 0.9 }, { step: 3, value: 0.8 }]);
  });

  it('charts a prompt-only run by the scores of the candidates it accepted, each candidate once', () => {
    const view = buildRunView(syntheticRun(8, 1));
    view.prompts = {
      a: [{ id: 'start', label: 'start', instructions: '', demos: [] }, { id: 'p1/trial-2', label: 'p1 trial-2', instructions: 'x', demos: [], score: 0.4 }, { id: 'p1/trial-5', label: 'p1 trial-5', instructions: 'y', demos: [], score: 0.55 }],
      b: [{ id: 'start', label: 'start', instructions: '', demos: [] }, { id: 'p1/trial-2', label: 'p1 trial-2', instructions: 'z', demos: [], score: 0.4 }],
    };
    assert.deepEqual(promptScoreCurve(view), [{ step: 1, value: 0.4 }, { step: 2, value: 0.55 }]);
  });
});
