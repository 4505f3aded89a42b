import { formatScore, isScoreKey } from '../protocol/scoreFormat';
import type { CurvePoint, RunView, StepView } from '../protocol/webview';
import { lineChart, type ChartOptions, type Series } from './chart';
import { h } from './dom';
import { fmtNum } from './format';
import { explainKey, explainKind } from './vocabulary';

/** Header with what the run is, its status and headline numbers. */
export function runHeader(view: RunView): HTMLElement {
  const m = view.manifest;
  return h(
    'header',
    { cls: 'run-header' },
    h('h1', {}, `${m.taskName} `, h('span', { cls: `status status-${statusClass(view.status)}` }, view.status)),
    h('div', { cls: 'muted', title: explainKind(m.kind) }, `${m.kind} run ${m.id} · created ${m.createdAt} · seed ${m.seed} · engine ${m.engineVersion}`),
    summaryLine(view.summary),
  );
}

/** Summary numbers, scores as percents, each key with a tooltip saying what it is. */
export function summaryLine(summary: Record<string, number>): HTMLElement {
  const items = Object.entries(summary).map(([k, v]) => h('span', { cls: 'kv-item', title: explainKey(k) }, h('span', { cls: 'kv-key' }, k), ' ', h('span', { cls: 'kv-value' }, formatValue(k, v))));
  return h('div', { cls: 'kv' }, ...items);
}

/** One rule for any summary value: scores as percents, anything else as a number. */
export function formatValue(key: string, v: number | undefined): string {
  return isScoreKey(key) ? formatScore(v) : fmtNum(v);
}

function statusClass(s: string): string {
  return ['running', 'completed', 'cancelled', 'failed', 'interrupted'].includes(s) ? s : 'other';
}

/** Trainer health the weights stage reports per step (loop.ts trainerMetrics), in the order shown. */
export const TRAINER_CURVES: readonly { key: string; title: string }[] = [
  { key: 'trainer/loss', title: 'Trainer loss' },
  { key: 'trainer/kl', title: 'KL to the reference model' },
  { key: 'trainer/clip_ratio', title: 'Clip ratio (tokens clipped by the PPO-style ratio)' },
  { key: 'trainer/grad_norm', title: 'Gradient norm' },
];

/** The trainer curves that have at least one finite value in the run's steps. */
export function trainerCurves(steps: readonly StepView[]): { title: string; key: string; points: CurvePoint[] }[] {
  return TRAINER_CURVES.map(({ key, title }) => ({ key, title, points: steps.filter((s) => Number.isFinite(s.trainer[key])).map((s) => ({ step: s.step, value: s.trainer[key] })) })).filter((c) => c.points.length > 0);
}

/**
 * Full-evaluation scores of the prompt candidates a run accepted, in the order
 * they were accepted (x = 1, 2, ...). A candidate appears once per module in
 * `prompts`, so it is counted once. This is what a prompt-only run has to chart.
 */
export function promptScoreCurve(view: RunView): CurvePoint[] {
  const seen = new Set<string>();
  const out: CurvePoint[] = [];
  for (const versions of Object.values(view.prompts)) {
    for (const v of versions) {
      if (v.score === undefined || seen.has(v.id)) continue;
      seen.add(v.id);
      out.push({ step: 0, value: v.score });
    }
  }
  return out.map((p, i) => ({ step: i + 1, value: p.value }));
}

/** The Overview's charts of one run: reward and val per step, per-module statistics, trainer curves; prompt scores for runs without steps. */
export function curves(view: RunView, selectedStep: number | undefined, onPick: (step: number) => void): HTMLElement {
  if (view.steps.length === 0) return unsteppedOverview(view);
  const opts: ChartOptions = { selectedStep, onPick };
  const charts = [
    lineChart('Mean reward per step', [{ name: 'reward/mean', points: view.reward }], { ...opts, score: true }),
    lineChart('Validation score', [{ name: 'val/score', points: view.val }], { ...opts, score: true, empty: 'not validated yet' }),
  ];
  if (view.modules.length > 0) {
    charts.push(lineChart('Reward per module', view.modules.map((m) => ({ name: m.module, points: m.rewardMean })), { ...opts, score: true }));
    charts.push(lineChart('Groups with zero reward std, per module', view.modules.map((m) => ({ name: m.module, points: m.fracRewardZeroStd })), { ...opts, score: true }));
  }
  for (const c of trainerCurves(view.steps)) charts.push(lineChart(c.title, [{ name: c.key, points: c.points }], opts));
  return h('div', { cls: 'charts' }, ...charts);
}

/** Eval and prompt-only runs have no steps: their val score, and the score of each prompt candidate they accepted. */
function unsteppedOverview(view: RunView): HTMLElement {
  const val = view.val.length ? view.val[view.val.length - 1].value : undefined;
  const prompts = promptScoreCurve(view);
  const charts: HTMLElement[] = [];
  if (prompts.length > 0) charts.push(lineChart('Full-eval score of each accepted prompt candidate', [{ name: 'candidate score', points: prompts }], { score: true, xLabel: 'accepted candidate' }));
  const headline = h('div', { cls: 'headline' }, h('span', { cls: 'kv-key' }, 'val score '), h('span', { cls: 'headline-value' }, formatScore(val)));
  const note = val === undefined && prompts.length === 0 ? h('div', { cls: 'muted' }, view.status === 'running' ? 'No score yet: the run is still evaluating.' : 'This run recorded no scores.') : null;
  return h('div', {}, headline, note, charts.length ? h('div', { cls: 'charts' }, ...charts) : null);
}

/** Two runs overlaid on the same charts (Compare mode's Overview). */
export function compareCurves(left: RunView, right: RunView): HTMLElement {
  const pair = (pick: (v: RunView) => CurvePoint[]): Series[] => [
    { name: `A: ${left.manifest.id}`, points: pick(left) },
    { name: `B: ${right.manifest.id}`, points: pick(right) },
  ];
  const charts = [
    lineChart('Validation score', pair((v) => v.val), { score: true }),
    lineChart('Mean reward per step', pair((v) => v.reward), { score: true }),
  ];
  const keys = new Set([...trainerCurves(left.steps), ...trainerCurves(right.steps)].map((c) => c.key));
  for (const { key, title } of TRAINER_CURVES.filter((c) => keys.has(c.key))) {
    charts.push(lineChart(title, pair((v) => trainerCurves(v.steps).find((c) => c.key === key)?.points ?? [])));
  }
  if (left.steps.length === 0 || right.steps.length === 0) charts.push(lineChart('Full-eval score of each accepted prompt candidate', pair(promptScoreCurve), { score: true, xLabel: 'accepted candidate' }));
  return h('div', { cls: 'charts' }, ...charts);
}

/** Per-module statistics and trainer health of one step. */
export function stepStats(step: StepView): HTMLElement {
  const cols: [string, string][] = [
    ['module', 'module of the program'],
    ['groups', 'reward groups formed'],
    ['trained', 'groups sent to the trainer'],
    ['reward', 'mean reward (metric score)'],
    ['std', 'reward standard deviation'],
    ['zero std', 'groups whose rewards were all equal (no signal)'],
    ['adv min', 'smallest advantage'],
    ['adv max', 'largest advantage'],
    ['format fail', 'calls whose output could not be parsed'],
    ['calls', 'calls per rollout: min–mean–max'],
  ];
  const rows = step.modules.map((m) =>
    h(
      'tr',
      {},
      h('td', {}, m.module),
      ...[m.groups, m.trainedGroups, formatScore(m.rewardMean), formatScore(m.rewardStd), formatScore(m.fracRewardZeroStd), fmtNum(m.advantageMin), fmtNum(m.advantageMax), formatScore(m.formatFailureRate), `${m.callsMin}–${fmtNum(m.callsMean, 1)}–${m.callsMax}`].map((v) => h('td', { cls: 'num' }, v)),
    ),
  );
  const trainer = Object.entries(step.trainer).map(([k, v]) => h('span', { cls: 'kv-item' }, h('span', { cls: 'kv-key' }, k), ' ', h('span', { cls: 'kv-value' }, fmtNum(v, 4))));
  return h(
    'div',
    { cls: 'step-stats' },
    h('div', { cls: 'kv' }, h('span', { cls: 'kv-item' }, `reward ${formatScore(step.rewardMean)} ± ${formatScore(step.rewardStd)}`), step.valScore !== undefined ? h('span', { cls: 'kv-item' }, `val ${formatScore(step.valScore)}`) : null, ...trainer),
    h('table', { cls: 'stats' }, h('thead', {}, h('tr', {}, ...cols.map(([c, t]) => h('th', { title: t }, c)))), h('tbody', {}, ...rows)),
  );
}
