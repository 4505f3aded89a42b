import type { GroupRecord, RolloutRecord } from '../protocol/events';
import type { StepView } from '../protocol/webview';
import { clear, h, pre } from './dom';
import { fmtNum, preview } from './format';
import { option } from './rolloutPanel';
import { virtualList } from './virtualList';

/** Finds the rollout a group member points at (groups hold references, not copies). */
export type RolloutLookup = (exampleIndex: number, rolloutIndex: number) => RolloutRecord | undefined;

export function lookupFor(items: readonly RolloutRecord[] | undefined): RolloutLookup {
  const map = new Map<string, RolloutRecord>();
  for (const r of items ?? []) map.set(`${r.exampleIndex}/${r.rolloutIndex}`, r);
  return (e, i) => map.get(`${e}/${i}`);
}

/** The reward groups of one step, per module, with each member's reward, advantage and completion. */
export function groupPanel(step: StepView, lookup: RolloutLookup | undefined): HTMLElement {
  if (step.groups.length === 0) return h('div', { cls: 'muted' }, `Step ${step.step} formed no groups.`);
  const detail = h('div', { cls: 'detail' }, h('div', { cls: 'muted' }, 'Select a group.'));
  const modules = [...new Set(step.groups.map((g) => g.module))];
  const list = virtualList<GroupRecord>({
    rowHeight: 26,
    height: 260,
    renderRow: groupRow,
    onSelect: (g, i) => {
      list.setSelected(i);
      clear(detail);
      detail.appendChild(groupDetail(g, lookup));
    },
  });
  const filter = h('select', {}, option('', 'all modules'), ...modules.map((m) => option(m, m)));
  const zeroOnly = h('input', { attrs: { type: 'checkbox' } });
  const refresh = () => {
    const shown = step.groups.filter((g) => (!filter.value || g.module === filter.value) && (!zeroOnly.checked || g.zeroVariance));
    list.setSelected(undefined);
    list.setItems(shown);
    stats.textContent = `${shown.length} groups, ${shown.filter((g) => g.zeroVariance).length} zero-variance`;
  };
  filter.addEventListener('change', refresh);
  zeroOnly.addEventListener('change', refresh);
  const stats = h('span', { cls: 'muted' });
  refresh();
  const note = lookup ? null : h('div', { cls: 'muted' }, 'Completions are not in this snapshot for this step (only rewards and advantages).');
  return h('div', { cls: 'groups' }, h('div', { cls: 'toolbar' }, filter, ' ', h('label', {}, zeroOnly, ' zero-variance only'), ' ', stats), note, list.element, detail);
}

function groupRow(g: GroupRecord): HTMLElement {
  const rewards = g.members.map((m) => fmtNum(m.reward, 2)).join(' ');
  return h(
    'div',
    { cls: `row${g.zeroVariance ? ' zero-var' : ''}` },
    h('span', { cls: 'cell' }, g.module),
    h('span', { cls: 'cell num' }, `ex ${g.exampleIndex}`),
    h('span', { cls: 'cell num' }, `inv ${g.invocation}`),
    h('span', { cls: 'cell grow' }, `rewards ${rewards}`),
    g.zeroVariance ? h('span', { cls: 'badge warn', title: 'All rewards equal: no learning signal, not trained on' }, 'zero variance') : null,
    g.trained ? h('span', { cls: 'badge' }, 'trained') : null,
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
      h('td', { cls: 'num' }, fmtNum(m.reward)),
      h('td', { cls: `num ${m.advantage > 0 ? 'pos' : m.advantage < 0 ? 'neg' : ''}` }, fmtNum(m.advantage)),
      h('td', {}, m.filled ? 'filled' : ''),
      h('td', { cls: 'grow', title: preview(completion, 400) }, pre(completion, 'text completion')),
    );
  });
  const head = h('tr', {}, ...['rollout', 'reward', 'advantage', '', 'completion'].map((t) => h('th', {}, t)));
  return h(
    'div',
    {},
    h('div', {}, `${g.module} · example ${g.exampleIndex} · invocation ${g.invocation}${g.zeroVariance ? ' · zero variance (no signal)' : ''}${g.trained ? ' · trained' : ' · not trained'}`),
    h('table', { cls: 'members' }, h('thead', {}, head), h('tbody', {}, ...rows)),
  );
}
