import { strict as assert } from 'node:assert';
import { parsePanelState } from '../../../src/webview/panelState';
import { reselect } from '../../../src/webview/selection';
import { wordDiff, wordStats } from '../../../src/webview/wordDiff';

describe('panel selection and saved state', () => {
  const key = (s: string) => s;
  it('keeps the selected row if the filter still shows it, else the first shown, else none', () => {
    assert.equal(reselect(['a', 'b', 'c'], 'c', key), 2);
    assert.equal(reselect(['a', 'b'], 'c', key), 0);
    assert.equal(reselect([], 'c', key), undefined);
    assert.equal(reselect(['a'], undefined, key), 0);
  });

  it('reads back only valid saved state', () => {
    assert.deepEqual(parsePanelState({ tab: 'rollouts', step: 3, rollout: '0/1', group: 'm/0/0', runs: ['r1', 'r2'] }), { tab: 'rollouts', step: 3, rollout: '0/1', group: 'm/0/0', runs: ['r1', 'r2'] });
    assert.deepEqual(parsePanelState({ tab: 'evil', step: -1, rollout: 5, runs: ['a', 'b', 'c'] }), {});
    assert.deepEqual(parsePanelState('x'), {});
  });
});

describe('prompt word diff', () => {
  it('marks the changed words of a one-line instruction, not the whole line', () => {
    const parts = wordDiff('Classify the intent of the message briefly.', 'Classify the banking intent of the message.');
    const changed = parts.filter((p) => p.kind !== 'same').map((p) => `${p.kind}:${p.text.trim()}`);
    assert.deepEqual(changed, ['add:banking', 'del:briefly']);
    assert.deepEqual(wordStats(parts), { added: 1, removed: 1 });
    assert.equal(parts.filter((p) => p.kind !== 'add').map((p) => p.text).join(''), 'Classify the intent of the message briefly.');
  });

  it('reads back both sides exactly, line breaks and spaces included', () => {
    const a = 'Think step by step.\n<b>x</b>  then\nanswer.\n';
    const b = 'Think  step by step.\n<b>y</b> then\n\nanswer';
    const parts = wordDiff(a, b);
    assert.equal(parts.filter((p) => p.kind !== 'add').map((p) => p.text).join(''), a);
    assert.equal(parts.filter((p) => p.kind !== 'del').map((p) => p.text).join(''), b);
  });
});
