import { strict as assert } from 'node:assert';
import { buildRunView } from '../../../src/engine/runs/runView';
import type { WebviewToHost } from '../../../src/protocol/webview';
import { App } from '../../../src/webview/app';
import { byClass, elements, installDom, ShimElement, walk } from './domShim';
import { rollout, syntheticRun } from './fixtures';

const EVIL = '</script><script>alert(1)</script><img src=x onerror=alert(1)>';

describe('run panel rendering (DOM shim)', () => {
  let dom: { restore(): void };
  beforeEach(() => (dom = installDom()));
  afterEach(() => dom.restore());

  function mount(live = false) {
    const root = new ShimElement('div');
    const posted: WebviewToHost[] = [];
    const app = new App(root as unknown as HTMLElement, { live, post: (m) => posted.push(m) });
    return { root, app, posted };
  }
  const tab = (root: ShimElement, label: string) => byClass(root, 'tab').find((t) => t.textContent === label)!;

  it('renders 10,000 rollouts with only a window of rows in the DOM, and model output as text', () => {
    const view = buildRunView(syntheticRun(10_000));
    view.rollouts!.items[0] = rollout(0, 0, 1, EVIL);
    const { root, app } = mount();
    app.handle({ type: 'snapshot', view });
    assert.ok(byClass(root, 'chart').length >= 4, 'curves rendered');
    tab(root, 'Rollouts').dispatch('click');
    const rows = byClass(root, 'vrow');
    assert.ok(rows.length > 0 && rows.length < 60, `rendered ${rows.length} rows`);
    rows[0].dispatch('click');
    const completion = byClass(root, 'completion')[0];
    assert.equal(completion.textContent, EVIL);
    assert.equal(elements(root, (e) => ['script', 'img', 'iframe'].includes(e.tagName)).length, 0);
  });

  it('shows the selected step\'s groups with completions and marks zero-variance groups', () => {
    const view = buildRunView(syntheticRun(16, 3));
    view.steps[2].groups[1] = { ...view.steps[2].groups[1], zeroVariance: true };
    const { root, app } = mount();
    app.handle({ type: 'snapshot', view });
    tab(root, 'Groups').dispatch('click');
    assert.ok(byClass(root, 'zero-var').length >= 1);
    byClass(root, 'vrow')[0].dispatch('click');
    const table = elements(root, (e) => e.tagName === 'table' && e.classList.contains('members'))[0];
    assert.match(table.textContent, /completion 0/);
  });

  it('asks the host for another step\'s rollouts in a live panel and ignores stale snapshots', () => {
    const view = buildRunView(syntheticRun(8, 3));
    const { root, app, posted } = mount(true);
    app.handle({ type: 'snapshot', view });
    tab(root, 'Rollouts').dispatch('click');
    const select = elements(root, (e) => e.tagName === 'select')[0];
    select.value = '1';
    select.dispatch('change');
    assert.deepEqual(posted, [{ type: 'selectStep', step: 1 }]);
    app.handle({ type: 'snapshot', view: { ...view, revision: view.revision - 1, status: 'failed' } });
    assert.equal([...walk(root)].some((n) => n.textContent === 'failed'), false);
  });

  it('renders a comparison and an error banner', () => {
    const a = buildRunView(syntheticRun(8, 2));
    const { root, app } = mount();
    app.handle({ type: 'compare', left: a, right: a });
    assert.equal(byClass(root, 'compare').length, 1);
    byClass(root, 'vrow')[0].dispatch('click');
    assert.equal(byClass(root, 'side').length, 2);
    app.handle({ type: 'snapshot', view: { ...a, prompts: { answer: [{ id: 'start', label: 'start', instructions: 'Be brief.\nCite.', demos: [] }, { id: 'v1', parent: 'start', label: 'v1', instructions: 'Be brief.\nCite sources.', demos: [] }] } } });
    tab(root, 'Prompts').dispatch('click');
    assert.deepEqual(byClass(root, 'diff-line').map((l) => l.className.split(' ')[1]), ['diff-same', 'diff-del', 'diff-add']);
    app.handle({ type: 'error', message: '<b>boom</b>' });
    assert.equal(byClass(root, 'banner')[0].textContent, '<b>boom</b>');
  });

  it('lists each p stage\'s instruction candidates under the module, as text, the accepted one marked', () => {
    const view = buildRunView(syntheticRun(8, 2));
    view.prompts = { classify: [{ id: 'start', label: 'start', instructions: 'Name the intent.', demos: [] }] };
    view.instructionCandidates = [{ stage: 'p1', module: 'classify', proposer: 'writer', dropped: 2, items: [
      { index: 0, text: 'Name the intent.', trials: 1, bestFull: 0.25, chosen: false },
      { index: 1, text: EVIL, trials: 3, bestMinibatch: 0.75, bestFull: 0.6, chosen: true },
    ] }];
    const { root, app } = mount();
    app.handle({ type: 'snapshot', view });
    tab(root, 'Prompts').dispatch('click');
    const table = byClass(root, 'candidates')[0]!;
    const rows = elements(table, (e) => e.tagName === 'tr').slice(1);
    assert.equal(rows.length, 2);
    assert.equal(rows[1]!.className, 'chosen');
    assert.ok(rows[1]!.textContent.includes(EVIL), 'the proposal shows literally');
    assert.ok(rows[1]!.textContent.includes('75.0%') && rows[1]!.textContent.includes('accepted'));
    assert.equal(elements(root, (e) => ['script', 'img'].includes(e.tagName)).length, 0);
    const summary = elements(root, (e) => e.tagName === 'summary').map((e) => e.textContent).find((t) => t.startsWith('Instruction candidates'));
    assert.equal(summary, 'Instruction candidates · p1 · 1 proposed by writer, 2 proposal(s) dropped in the stage');
  });
});
