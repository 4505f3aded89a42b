import type { RunView, StepView } from '../protocol/webview';
import { lineChart } from './chart';
import { h } from './dom';
import { fmtNum, fmtPct } from './format';

/** Header with what the run is, its status and headline numbers. */
export function runHeader(view: RunView): HTMLElement {
  const m = view.manifest;
  const summary = Object.entries(view.summary).map(([k, v]) => h('span', { cls: 'kv-item' }, h('span', { cls: 'kv-key' }, k), ' ', h('span', { cls: 'kv-value' }, isScoreKey(k) ? fmtPct(v) : fmtNum(v))));
  return h(
    'header',
    { cls: 'run-header' },
    h('h1', {}, `${m.taskName} `, h('span', { cls: `status status-${statusClass(view.status)}` }, view.status)),
    h('div', { cls: 'muted' }, `${m.kind} run ${m.id} · created ${m.createdAt} · seed ${m.seed} · engine ${m.engineVersion}`),
    h('div', { cls: 'kv' }, ...summary),
  );
}

function statusClass(s: string): string {
  return ['running', 'completed', 'cancelled', 'failed', 'interrupted'].includes(s) ? s : 'other';
}

/** Curves: reward and val, then per module reward and zero-std fraction. */
export function curves(view: RunView, selectedStep: number | undefined, onPick: (step: number) => void): HTMLElement {
  const opts = { selectedStep, onPick };
  const charts = [
    lineChart('Mean reward per step', [{ name: 'reward/mean', points: view.reward }], opts),
    lineChart('Validation score', [{ name: 'val/score', points: view.val }], opts),
  ];
  if (view.modules.length > 0) {
    charts.push(lineChart('Reward per module', view.modules.map((m) => ({ name: m.module, points: m.rewardMean })), opts));
    charts.push(lineChart('Groups with zero reward std, per module', view.modules.map((m) => ({ name: m.module, points: m.fracRewardZeroStd })), opts));
  }
  return h('div', { cls: 'charts' }, ...charts);
}

/** Per-module statistics and trainer health of one step. */
export function stepStats(step: StepView): HTMLElement {
  const cols = ['module', 'groups', 'trained', 'reward', 'std', 'zero std', 'adv min', 'adv max', 'format fail', 'calls'];
  const rows = step.modules.map((m) =>
    h(
      'tr',
      {},
      h('td', {}, m.module),
      ...[m.groups, m.trainedGroups, fmtNum(m.rewardMean), fmtNum(m.rewardStd), fmtPct(m.fracRewardZeroStd), fmtNum(m.advantageMin), fmtNum(m.advantageMax), fmtPct(m.formatFailureRate), `${m.callsMin}–${fmtNum(m.callsMean, 1)}–${m.callsMax}`].map((v) => h('td', { cls: 'num' }, v)),
    ),
  );
  const trainer = Object.entries(step.trainer).map(([k, v]) => h('span', { cls: 'kv-item' }, h('span', { cls: 'kv-key' }, k), ' ', h('span', { cls: 'kv-value' }, fmtNum(v, 4))));
  return h(
    'div',
    { cls: 'step-stats' },
    h('div', { cls: 'kv' }, h('span', { cls: 'kv-item' }, `reward ${fmtNum(step.rewardMean)} ± ${fmtNum(step.rewardStd)}`), step.valScore !== undefined ? h('span', { cls: 'kv-item' }, `val ${fmtPct(step.valScore)}`) : null, ...trainer),
    h('table', { cls: 'stats' }, h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', {}, c)))), h('tbody', {}, ...rows)),
  );
}

/** Scores are shown as percentages; step numbers and counts are not (val/best_step is a step). */
export function isScoreKey(key: string): boolean {
  return /(^|\/)(score|start|final|best)$/.test(key);
}
