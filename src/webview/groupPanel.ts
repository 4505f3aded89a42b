import type { GroupRecord, RolloutRecord } from '../protocol/events';
import { formatScore } from '../protocol/scoreFormat';
import type { StepView } from '../protocol/webview';
import { clear, h, pre } from './dom';
import { fmtNum, preview } from './format';
import { option } from './rolloutPanel';
import { reselect, type SelectionStore } from './selection';
import { virtualList, type Column } from './virtualList';
import { ZERO_VARIANCE_HELP } from './vocabulary';

/** Finds the rollout a group member points at (groups hold references, not copies). */
export type RolloutLookup = (exampleIndex: number, rolloutIndex: number) => RolloutRecord | undefined;

export function lookupFor(items: readonly RolloutRecord[] | undefined): RolloutLookup {
  const map = new Map<string, RolloutRecord>();
  for (const r of items ?? []) map.set(`${r.exampleIndex}/${r.rolloutIndex}`, r);
  return (e, i) => map.get(`${e}/${i}`);
}

export const groupKey = (g: GroupRecord): string => `${g.module}/${g.exampleIndex}/${g.invocation}`;

const COLUMNS: Column[] = [
  { label: 'module', title: 'module of the program whose calls form the group' },
  { label: 'example', title: "index of the input in the step's batch", num: true },
  { label: 'call', title: 'which call of the module in the rollout (invocation)', num: true },
  { label: 'rewards of the members', title: 'reward of each rollout in the group' },
  { label: 'state', title: `zero variance: ${ZERO_VARIANCE_HELP}; trained: sent to the trainer in this step` },
];

/** The reward groups of one step, per module, with each member's reward, advantage and completion. */
export function groupPanel(step: StepView, lookup: RolloutLookup | undefined, selection?: SelectionStore): HTMLElement {
  if (step.groups.length === 0) return h('div', { cls: 'muted' }, `Step ${step.step} formed no groups.`);
  const detail = h('div', { cls: 'detail' });
  const modules = [...new Set(step.groups.map((g) => g.module))];
  let shown: GroupRecord[] = [];
  const select = (i: number | undefined) => {
    list.setSelected(i);
    clear(detail);
    const g = i === undefined ? undefined : shown[i];
    selection?.save(g && groupKey(g));
    detail.appendChild(g ? groupDetail(g, lookup) : h('div', { cls: 'muted' }, shown.length ? 'Select a group.' : 'No group matches these filters.'));
  };
  const list = virtualList<GroupRecord>({ rowHeight: 26, height: 260, renderRow: groupRow, onSelect: (_g, i) => select(i), columns: COLUMNS, gridClass: 'cols-groups' });
  const filter = h('select', { title: 'Show the groups of one module' }, option('', 'all modules'), ...modules.map((m) => option(m, m)));
  const zeroOnly = h('input', { attrs: { type: 'checkbox' } });
  const stats = h('span', { cls: 'muted' });
  const refresh = (keep: string | undefined) => {
    shown = step.groups.filter((g) => (!filter.value || g.module === filter.value) && (!zeroOnly.checked || g.zeroVariance));
    list.setItems(shown);
    stats.textContent = `${shown.length} groups, ${shown.filter((g) => g.zeroVariance).length} zero-variance`;
    select(reselect(shown, keep, groupKey));
  };
  const onFilter = () => {
    const current = list.selected();
    refresh(current && groupKey(current));
  };
  filter.addEventListener('change', onFilter);
  zeroOnly.addEventListener('change', onFilter);
  refresh(selection?.initial);
  const note = lookup ? null : h('div', { cls: 'muted' }, 'Completions are not in this snapshot for this step (only rewards and advantages).');
  return h('div', { cls: 'groups' }, h('div', { cls: 'toolbar' }, filter, ' ', h('label', { title: ZERO_VARIANCE_HELP }, zeroOnly, ' zero-variance only'), ' ', stats), note, list.element, detail);
}

function groupRow(g: GroupRecord): HTMLElement {
  const rewards = g.members.map((m) => formatScore(m.reward)).join(' ');
  return h(
    'div',
    { cls: `row${g.zeroVariance ? ' zero-var' : ''}` },
    h('span', { cls: 'cell' }, g.module),
    h('span', { cls: 'cell num' }, g.exampleIndex),
    h('span', { cls: 'cell num' }, g.invocation),
    h('span', { cls: 'cell grow' }, rewards),
    h(
      'span',
      { cls: 'cell' },
      g.zeroVariance ? h('span', { cls: 'badge warn', title: ZERO_VARIANCE_HELP }, 'zero variance') : null,
      g.trained ? h('span', { cls: 'badge' }, 'trained') : null,
    ),
  );
}

function groupDetail(g: GroupRecord, lookup: RolloutLookup | undefined): HTMLElement {
  const rows = g.members.map((m) => {
    const call = lookup?.(g.exampleIndex, m.rolloutIndex)?.trace[m.callIndex];
    const completion = call ? call.completion ?? '(no completion)' : lookup ? '(call not found)' : '';
    return h(
      'tr',
      {},
      h('td', { cls: 'num' }, m.rolloutIndex),
      h('td', { cls: 'num' }, formatScore(m.reward)),
      h('td', { cls: `num ${m.advantage > 0 ? 'pos' : m.advantage < 0 ? 'neg' : ''}` }, fmtNum(m.advantage)),
      h('td', {}, m.filled ? 'filled' : ''),
      h('td', { cls: 'grow', title: preview(completion, 400) }, pre(completion, 'text completion')),
    );
  });
  const head = h('tr', {}, ...['rollout', 'reward', 'advantage', '', 'completion'].map((t) => h('th', {}, t)));
  return h(
    'div',
    {},
    h('div', {}, `${g.module} · example ${g.exampleIndex} · call ${g.invocation}${g.zeroVariance ? ' · zero variance (no signal)' : ''}${g.trained ? ' · trained' : ' · not trained'}`),
    h('table', { cls: 'members' }, h('thead', {}, head), h('tbody', {}, ...rows)),
  );
}
