import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRunView } from '../../../src/engine/runs/runView';
import { pairRollouts } from '../../../src/webview/compareView';
import { formatValue } from '../../../src/webview/overview';
import { explainKey, explainKind } from '../../../src/webview/vocabulary';
import { isHostMessage } from '../../../src/webview/messages';
import { visibleRange } from '../../../src/webview/virtualRange';
import { rollout, syntheticRun } from './fixtures';

describe('webview logic (DOM-free)', () => {
  it('accepts snapshot, compare and error messages and drops anything else', () => {
    const view = buildRunView(syntheticRun(8, 2));
    assert.equal(isHostMessage({ type: 'snapshot', view }), true);
    assert.equal(isHostMessage({ type: 'compare', left: view, right: view }), true);
    assert.equal(isHostMessage({ type: 'error', message: 'x' }), true);
    assert.equal(isHostMessage({ type: 'snapshot', view: { ...view, steps: 'nope' } }), false);
    assert.equal(isHostMessage({ type: 'snapshot', view: { ...view, instructionCandidates: [{ stage: 'p1', module: 'm', proposer: 'w', dropped: 0, items: [{ index: 0, text: 'x', trials: 0, chosen: true }] }] } }), true);
    assert.equal(isHostMessage({ type: 'snapshot', view: { ...view, instructionCandidates: [{ stage: 'p1', module: 'm', items: 'x' }] } }), false);
    assert.equal(isHostMessage({ type: 'snapshot', view: { ...view, rollouts: { step: 1 } } }), false);
    assert.equal(isHostMessage({ type: 'compare', left: view }), false);
    assert.equal(isHostMessage({ type: 'eval', code: 'alert(1)' }), false);
    assert.equal(isHostMessage(null), false);
    assert.equal(isHostMessage('snapshot'), false);
  });

  it('windows 10,000 rows to the visible ones plus a margin', () => {
    assert.deepEqual(visibleRange(0, 260, 26, 10_000, 8), { start: 0, end: 19 });
    assert.deepEqual(visibleRange(26 * 5000, 260, 26, 10_000, 8), { start: 4992, end: 5019 });
    assert.deepEqual(visibleRange(26 * 20_000, 260, 26, 10_000, 8), { start: 9999, end: 10_000 });
    assert.deepEqual(visibleRange(0, 260, 26, 0), { start: 0, end: 0 });
  });

  it('pairs two runs\' rollouts by dataset example', () => {
    const pairs = pairRollouts([rollout(0, 0, 1), rollout(0, 1, 0), rollout(2, 0, 1)], [rollout(2, 0, 0), rollout(1, 0, 1)]);
    assert.deepEqual(pairs.map((p) => [p.datasetIndex, p.left.length, p.right.length]), [[100, 2, 0], [101, 0, 1], [102, 1, 1]]);
  });

  it('never writes markup from strings in the panel code (all data goes in as text)', () => {
    const dir = join(__dirname, '..', '..', '..', 'src', 'webview');
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|new Function|\beval\(/.test(readFileSync(join(dir, f), 'utf8')));
    assert.deepEqual(offenders, []);
  });
});

describe('overview summary formatting', () => {
  it('shows every score key as a percent and counts as numbers, with a tooltip that explains the stage', () => {
    assert.deepEqual([['p1/val', 0.0833], ['val/score', 0.375], ['val/errors', 2], ['val/best_step', 4]].map(([k, v]) => formatValue(k as string, v as number)), ['8.3%', '37.5%', '2', '4']);
    assert.match(explainKey('p1/val'), /prompt-optimization stage 1/);
    assert.match(explainKey('mmgrpo/val'), /weights stage/);
    assert.match(explainKind('optimize'), /Train and Optimize prompts create these/);
    assert.match(explainKind('train'), /weights only/);
  });
});
