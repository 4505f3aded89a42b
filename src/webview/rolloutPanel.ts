import type { RolloutRecord } from '../protocol/events';
import { formatScore } from '../protocol/scoreFormat';
import { clear, h } from './dom';
import { preview } from './format';
import { rolloutDetail } from './rolloutDetail';
import { reselect, type SelectionStore } from './selection';
import { virtualList, type Column } from './virtualList';
import { POLICY_HELP } from './vocabulary';

type Filter = 'all' | 'errors' | 'format' | 'best' | 'worst';

export interface RolloutPanelOptions {
  selection?: SelectionStore;
  /** Opens the rollout as a JSON document in the editor (live panel only). */
  openJson?: (r: RolloutRecord) => void;
  /** Shown when there are no rollouts. */
  note?: string;
}

export const rolloutKey = (r: RolloutRecord): string => `${r.exampleIndex}/${r.rolloutIndex}`;

const COLUMNS: Column[] = [
  { label: 'example', title: 'index of the input in the step\'s batch', num: true },
  { label: 'rollout', title: 'rollout of that input (one of the group)', num: true },
  { label: 'reward', title: 'metric score of the rollout', num: true },
  { label: 'policy', title: POLICY_HELP },
  { label: 'calls', title: 'module calls in the rollout', num: true },
  { label: 'last completion or error' },
];

/** The step's rollouts as a virtualized list with a detail pane for the selected one. */
export function rolloutPanel(rollouts: { step: number; items: RolloutRecord[]; total?: number } | null, opts: RolloutPanelOptions = {}): HTMLElement {
  if (!rollouts || rollouts.items.length === 0) return h('div', { cls: 'muted' }, opts.note ?? 'No rollouts recorded for this step.');
  const detail = h('div', { cls: 'detail' });
  let shown: RolloutRecord[] = rollouts.items;
  const select = (i: number | undefined) => {
    list.setSelected(i);
    clear(detail);
    const r = i === undefined ? undefined : shown[i];
    opts.selection?.save(r && rolloutKey(r));
    if (!r) {
      detail.appendChild(h('div', { cls: 'muted' }, shown.length ? 'Select a rollout.' : 'No rollout matches this filter.'));
      return;
    }
    if (opts.openJson) detail.appendChild(h('div', { cls: 'toolbar' }, h('button', { cls: 'open-json', title: 'Open this rollout as a JSON document in an editor tab', onClick: () => opts.openJson!(r) }, 'Open as JSON')));
    detail.appendChild(rolloutDetail(r));
  };
  const list = virtualList<RolloutRecord>({ rowHeight: 26, height: 320, renderRow: rolloutRow, onSelect: (_r, i) => select(i), columns: COLUMNS, gridClass: 'cols-rollouts' });
  const filter = h('select', { title: 'Which rollouts to list' }, ...(['all', 'errors', 'format', 'best', 'worst'] as Filter[]).map((f) => option(f, FILTER_LABELS[f])));
  const count = h('span', { cls: 'muted' });
  const refresh = (keep: string | undefined) => {
    shown = applyFilter(rollouts.items, filter.value as Filter);
    list.setItems(shown);
    count.textContent = countText(shown.length, rollouts);
    select(reselect(shown, keep, rolloutKey));
  };
  filter.addEventListener('change', () => {
    const current = list.selected();
    refresh(current === undefined ? undefined : rolloutKey(current));
  });
  refresh(opts.selection?.initial);
  return h('div', { cls: 'rollouts' }, h('div', { cls: 'toolbar' }, `Rollouts of step ${rollouts.step} `, filter, ' ', count), list.element, detail);
}

const FILTER_LABELS: Record<Filter, string> = {
  all: 'all',
  errors: 'with errors',
  format: 'format failures',
  best: 'highest reward first',
  worst: 'lowest reward first',
};

function countText(n: number, r: { items: RolloutRecord[]; total?: number }): string {
  const cut = r.total !== undefined && r.total > r.items.length ? ` (first ${r.items.length} of ${r.total} kept in this snapshot)` : '';
  return `${n} shown${cut}`;
}

export function option(value: string, label: string): HTMLOptionElement {
  const o = h('option', {}, label);
  o.value = value;
  return o;
}

export function applyFilter(items: RolloutRecord[], f: Filter): RolloutRecord[] {
  if (f === 'errors') return items.filter((r) => r.error !== undefined || r.rewardKind === 'failure' || r.trace.some((c) => c.error !== undefined));
  if (f === 'format') return items.filter((r) => r.rewardKind === 'format_failure' || r.trace.some((c) => c.parseError !== undefined));
  if (f === 'best') return [...items].sort((a, b) => b.reward - a.reward);
  if (f === 'worst') return [...items].sort((a, b) => a.reward - b.reward);
  return items;
}

export function rolloutRow(r: RolloutRecord): HTMLElement {
  const last = r.trace.length ? r.trace[r.trace.length - 1].completion : null;
  return h(
    'div',
    { cls: `row kind-${r.rewardKind === 'metric' ? 'metric' : r.rewardKind === 'format_failure' ? 'format' : 'failure'}` },
    h('span', { cls: 'cell num' }, r.exampleIndex),
    h('span', { cls: 'cell num' }, r.rolloutIndex),
    h('span', { cls: 'cell num reward' }, formatScore(r.reward)),
    h('span', { cls: 'cell', title: POLICY_HELP }, r.teacher),
    h('span', { cls: 'cell num' }, r.trace.length),
    h('span', { cls: 'cell grow' }, r.error ? `⚠ ${preview(r.error, 80)}` : preview(last, 160)),
  );
}
