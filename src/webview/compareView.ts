import type { RolloutRecord } from '../protocol/events';
import { formatScore, formatScoreDelta } from '../protocol/scoreFormat';
import type { RunView } from '../protocol/webview';
import { clear, h } from './dom';
import { compareCurves, formatValue } from './overview';
import { rolloutDetail } from './rolloutDetail';
import { virtualList, type Column } from './virtualList';
import { explainKey } from './vocabulary';

interface Pair {
  datasetIndex: number;
  left: RolloutRecord[];
  right: RolloutRecord[];
}

/** Compare mode's Overview: both runs' headline numbers and their curves overlaid. */
export function compareOverview(left: RunView, right: RunView): HTMLElement {
  return h('div', { cls: 'compare-overview' }, summaryTable(left, right), compareCurves(left, right));
}

/** Compare tab: headline numbers and the rollouts of both runs matched by dataset example. */
export function compareView(left: RunView, right: RunView): HTMLElement {
  return h('div', { cls: 'compare' }, summaryTable(left, right), pairedRollouts(left, right));
}

function summaryTable(left: RunView, right: RunView): HTMLElement {
  const keys = [...new Set([...Object.keys(left.summary), ...Object.keys(right.summary)])].sort();
  const cell = (v: number | undefined, k: string) => h('td', { cls: 'num' }, formatValue(k, v));
  const rows = keys.map((k) => h('tr', {}, h('td', { title: explainKey(k) }, k), cell(left.summary[k], k), cell(right.summary[k], k)));
  const head = h('tr', {}, h('th', {}, ''), h('th', {}, `A: ${left.manifest.taskName} (${left.manifest.kind}, ${left.status})`), h('th', {}, `B: ${right.manifest.taskName} (${right.manifest.kind}, ${right.status})`));
  return h('table', { cls: 'stats' }, h('thead', {}, head), h('tbody', {}, h('tr', {}, h('td', {}, 'run'), h('td', {}, left.manifest.id), h('td', {}, right.manifest.id)), ...rows));
}

/** Pairs the two snapshots' rollouts by train/eval-set index (the same input on both sides). */
export function pairRollouts(left: readonly RolloutRecord[], right: readonly RolloutRecord[]): Pair[] {
  const pairs = new Map<number, Pair>();
  const get = (d: number) => pairs.get(d) ?? pairs.set(d, { datasetIndex: d, left: [], right: [] }).get(d)!;
  for (const r of left) get(r.datasetIndex).left.push(r);
  for (const r of right) get(r.datasetIndex).right.push(r);
  return [...pairs.values()].sort((a, b) => a.datasetIndex - b.datasetIndex);
}

function mean(rs: RolloutRecord[]): number | undefined {
  return rs.length ? rs.reduce((s, r) => s + r.reward, 0) / rs.length : undefined;
}

const COLUMNS: Column[] = [
  { label: 'example', title: 'index of the input in the data set (the same input on both sides)', num: true },
  { label: 'A reward', title: "mean reward of run A's rollouts of this input (count)", num: true },
  { label: 'B reward', title: "mean reward of run B's rollouts of this input (count)", num: true },
  { label: 'B − A', title: 'difference in percentage points', num: true },
];

function pairedRollouts(left: RunView, right: RunView): HTMLElement {
  const pairs = pairRollouts(left.rollouts?.items ?? [], right.rollouts?.items ?? []);
  if (pairs.length === 0) return h('div', { cls: 'muted' }, 'Neither snapshot holds rollouts.');
  const detail = h('div', { cls: 'detail' }, h('div', { cls: 'muted' }, 'Select an example.'));
  const list = virtualList<Pair>({
    rowHeight: 26,
    height: 260,
    columns: COLUMNS,
    gridClass: 'cols-pairs',
    renderRow: (p) => {
      const a = mean(p.left);
      const b = mean(p.right);
      const delta = a !== undefined && b !== undefined ? b - a : undefined;
      return h('div', { cls: 'row' }, h('span', { cls: 'cell num' }, p.datasetIndex), h('span', { cls: 'cell num' }, `${formatScore(a)} (${p.left.length})`), h('span', { cls: 'cell num' }, `${formatScore(b)} (${p.right.length})`), h('span', { cls: `cell num ${delta === undefined ? '' : delta > 0 ? 'pos' : delta < 0 ? 'neg' : ''}` }, delta === undefined ? '' : formatScoreDelta(delta)));
    },
    onSelect: (p, i) => {
      list.setSelected(i);
      clear(detail);
      const side = (label: string, rs: RolloutRecord[]) => h('div', { cls: 'side' }, h('div', { cls: 'label' }, label), ...(rs.length ? rs.map(rolloutDetail) : [h('div', { cls: 'muted' }, 'no rollout for this example')]));
      detail.appendChild(h('div', { cls: 'side-by-side' }, side(`A · step ${left.rollouts?.step ?? '–'}`, p.left), side(`B · step ${right.rollouts?.step ?? '–'}`, p.right)));
    },
  });
  list.setItems(pairs);
  return h('div', {}, h('div', { cls: 'toolbar' }, `Rollouts by example (A step ${left.rollouts?.step ?? '–'}, B step ${right.rollouts?.step ?? '–'})`), list.element, detail);
}
