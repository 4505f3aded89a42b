import type { RolloutRecord } from '../protocol/events';
import { clear, h } from './dom';
import { fmtNum, preview } from './format';
import { rolloutDetail } from './rolloutDetail';
import { virtualList } from './virtualList';

type Filter = 'all' | 'errors' | 'format' | 'best' | 'worst';

/** The step's rollouts as a virtualized list with a detail pane for the selected one. */
export function rolloutPanel(rollouts: { step: number; items: RolloutRecord[]; total?: number } | null, note?: string): HTMLElement {
  if (!rollouts || rollouts.items.length === 0) return h('div', { cls: 'muted' }, note ?? 'No rollouts recorded for this step.');
  const detail = h('div', { cls: 'detail' }, h('div', { cls: 'muted' }, 'Select a rollout.'));
  let shown: RolloutRecord[] = rollouts.items;
  const list = virtualList<RolloutRecord>({
    rowHeight: 26,
    height: 320,
    renderRow: rolloutRow,
    onSelect: (r, i) => {
      list.setSelected(i);
      clear(detail);
      detail.appendChild(rolloutDetail(r));
    },
  });
  const filter = h('select', {}, ...(['all', 'errors', 'format', 'best', 'worst'] as Filter[]).map((f) => option(f, FILTER_LABELS[f])));
  filter.addEventListener('change', () => {
    shown = applyFilter(rollouts.items, filter.value as Filter);
    list.setSelected(undefined);
    list.setItems(shown);
    count.textContent = countText(shown.length, rollouts);
  });
  const count = h('span', { cls: 'muted' }, countText(shown.length, rollouts));
  list.setItems(shown);
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

function applyFilter(items: RolloutRecord[], f: Filter): RolloutRecord[] {
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
    h('span', { cls: 'cell num' }, `ex ${r.exampleIndex}`),
    h('span', { cls: 'cell num' }, `#${r.rolloutIndex}`),
    h('span', { cls: 'cell num reward' }, fmtNum(r.reward)),
    h('span', { cls: 'cell' }, r.teacher),
    h('span', { cls: 'cell num' }, `${r.trace.length} calls`),
    h('span', { cls: 'cell grow' }, r.error ? `⚠ ${preview(r.error, 80)}` : preview(last, 160)),
  );
}
