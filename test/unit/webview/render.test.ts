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

  it('renders a comparison (both runs on the Overview, paired rollouts on Compare) and an error banner', () => {
    const a = buildRunView(syntheticRun(8, 2));
    const b = { ...buildRunView(syntheticRun(8, 3)), manifest: { ...a.manifest, id: 'other-run' } };
    const { root, app } = mount();
    app.handle({ type: 'compare', left: a, right: b });
    const overview = byClass(root, 'compare-overview')[0];
    assert.ok(overview, 'the Overview tab of a comparison shows both runs');
    const charts = byClass(overview, 'chart');
    assert.ok(charts.length >= 2);
    assert.match(charts[1].textContent, /^Mean reward per stepA: synthetic, B: other-run: 3 points/);
    tab(root, 'Compare').dispatch('click');
    assert.equal(byClass(root, 'compare').length, 1);
    byClass(root, 'vrow')[0].dispatch('click');
    assert.equal(byClass(root, 'side').length, 2);
    app.handle({ type: 'error', message: '<b>boom</b>' });
    assert.equal(byClass(root, 'banner')[0].textContent, '<b>boom</b>');
  });

  it('diffs prompt versions word by word', () => {
    const view = buildRunView(syntheticRun(8, 2));
    view.prompts = { answer: [{ id: 'start', label: 'start', instructions: 'Be brief and cite the policy.', demos: [] }, { id: 'p1/trial-1', parent: 'start', label: 'p1 trial-1', instructions: 'Be brief and cite the refund policy.', demos: [] }] };
    const { root, app } = mount();
    app.handle({ type: 'snapshot', view });
    tab(root, 'Prompts').dispatch('click');
    const marked = elements(root, (e) => e.classList.contains('diff-add') || e.classList.contains('diff-del')).map((e) => `${e.tagName}:${e.textContent.trim()}`);
    assert.deepEqual(marked, ['ins:refund']);
  });

  it('keeps the detail pane in step with the Rollouts filter: the first shown rollout, or none', () => {
    const view = buildRunView(syntheticRun(8, 2));
    const items = view.rollouts!.items;
    items[5] = { ...items[5], rewardKind: 'failure', error: 'metric threw: boom' };
    const { root, app } = mount();
    app.handle({ type: 'snapshot', view });
    tab(root, 'Rollouts').dispatch('click');
    byClass(root, 'vrow')[1].dispatch('click');
    const detailText = () => byClass(root, 'detail')[0].textContent;
    assert.match(detailText(), /rollout 1policy/);
    const filter = elements(root, (e) => e.tagName === 'select' && e.title === 'Which rollouts to list')[0];
    filter.value = 'errors';
    filter.dispatch('change');
    assert.match(detailText(), /metric threw: boom/, 'the detail follows the list: the only rollout with errors');
    filter.value = 'format';
    filter.dispatch('change');
    assert.equal(detailText(), 'No rollout matches this filter.');
  });

  it('keeps the detail pane in step with the Groups filters', () => {
    const view = buildRunView(syntheticRun(16, 2));
    const step = view.steps[1];
    step.groups = step.groups.map((g, i) => ({ ...g, module: i % 2 ? 'classify' : 'answer' }));
    const { root, app } = mount();
    app.handle({ type: 'snapshot', view });
    tab(root, 'Groups').dispatch('click');
    byClass(root, 'vrow')[0].dispatch('click');
    const detailText = () => byClass(root, 'detail')[0].textContent;
    assert.match(detailText(), /^answer · example 0/);
    const filter = elements(root, (e) => e.tagName === 'select' && e.title === 'Show the groups of one module')[0];
    filter.value = 'classify';
    filter.dispatch('change');
    assert.match(detailText(), /^classify · example 1/);
    const zeroOnly = elements(root, (e) => e.tagName === 'input')[0];
    zeroOnly.checked = true;
    zeroOnly.dispatch('change');
    assert.equal(detailText(), 'No group matches these filters.');
  });

  it('puts column headers over the row lists', () => {
    const view = buildRunView(syntheticRun(8, 2));
    const { root, app } = mount();
    app.handle({ type: 'snapshot', view });
    tab(root, 'Rollouts').dispatch('click');
    const head = byClass(root, 'vhead')[0];
    assert.deepEqual(head.childNodes.map((c) => c.textContent), ['example', 'rollout', 'reward', 'policy', 'calls', 'last completion or error']);
    tab(root, 'Groups').dispatch('click');
    assert.deepEqual(byClass(root, 'vhead')[0].childNodes.map((c) => c.textContent).slice(0, 3), ['module', 'example', 'call']);
  });

  it('saves tab, step and selection through the state API and restores them in a new page', () => {
    const view = buildRunView(syntheticRun(8, 3));
    let stored: unknown;
    const host = { live: true, post: () => undefined, getState: () => stored, setState: (s: unknown) => void (stored = s) };
    const first = new ShimElement('div');
    const app = new App(first as unknown as HTMLElement, host);
    app.handle({ type: 'snapshot', view });
    tab(first, 'Rollouts').dispatch('click');
    byClass(first, 'vrow')[3].dispatch('click');
    assert.deepEqual(stored, { tab: 'rollouts', step: 3, rollout: '0/3', runs: ['synthetic'] });
    const second = new ShimElement('div');
    new App(second as unknown as HTMLElement, host).handle({ type: 'snapshot', view });
    assert.equal(byClass(second, 'tab').find((t) => t.classList.contains('active'))?.textContent, 'Rollouts');
    assert.ok(byClass(second, 'vrow')[3].classList.contains('selected'), 'the saved rollout is selected again');
    assert.match(byClass(second, 'detail')[0].textContent, /rollout 3policy/);
  });

  it('asks the host to open a rollout as JSON and a prompt diff in the diff editor (live panel)', () => {
    const view = buildRunView(syntheticRun(8, 2));
    view.prompts = { answer: [{ id: 'start', label: 'start', instructions: 'a', demos: [] }, { id: 'p1/trial-1', parent: 'start', label: 'p1 trial-1', instructions: 'b', demos: [] }] };
    const { root, app, posted } = mount(true);
    app.handle({ type: 'snapshot', view });
    tab(root, 'Rollouts').dispatch('click');
    byClass(root, 'vrow')[1].dispatch('click');
    byClass(root, 'open-json')[0].dispatch('click');
    tab(root, 'Prompts').dispatch('click');
    byClass(root, 'open-diff')[0].dispatch('click');
    assert.deepEqual(posted, [
      { type: 'openRollout', step: 2, exampleIndex: 0, rolloutIndex: 1 },
      { type: 'openPromptDiff', module: 'answer', fromVersion: 'start', toVersion: 'p1/trial-1' },
    ]);
  });

  it('offers no editor actions in the static report', () => {
    const { root, app } = mount(false);
    app.handle({ type: 'snapshot', view: buildRunView(syntheticRun(8, 2)) });
    tab(root, 'Rollouts').dispatch('click');
    byClass(root, 'vrow')[0].dispatch('click');
    assert.equal(byClass(root, 'open-json').length, 0);
  });

  it("shows a prompt-only run's scores on the Overview instead of 'no data yet'", () => {
    const view = buildRunView(syntheticRun(8, 2));
    Object.assign(view, { steps: [], reward: [], modules: [], val: [{ step: 0, value: 0.4375 }] });
    view.prompts = { answer: [{ id: 'start', label: 'start', instructions: 'a', demos: [] }, { id: 'p1/trial-1', parent: 'start', label: 'p1 trial-1', instructions: 'b', demos: [], score: 0.4375 }] };
    const { root, app } = mount();
    app.handle({ type: 'snapshot', view });
    const text = byClass(root, 'content')[0].textContent;
    assert.doesNotMatch(text, /no data yet/);
    assert.match(text, /val score 43\.8%/);
    assert.match(text, /Full-eval score of each accepted prompt candidate/);
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
