import type { InstructionCandidatesView } from '../protocol/webview';
import { h, pre, section } from './dom';
import { formatScore } from '../protocol/scoreFormat';
import { explainStage } from './vocabulary';

/**
 * The instructions one p stage searched over for a module, the losers too:
 * how many trials used each, its best minibatch and full scores, and which
 * one the stage accepted. All text is rendered as text (pre), never HTML.
 */
export function instructionList(view: InstructionCandidatesView): HTMLElement {
  const head = h('tr', {}, ...['#', 'instruction', 'trials', 'best minibatch', 'best full', ''].map((t) => h('th', {}, t)));
  const rows = view.items.map((c) =>
    h(
      'tr',
      { cls: c.chosen ? 'chosen' : '' },
      h('td', { cls: 'num' }, c.index === 0 ? '0 (current)' : String(c.index)),
      h('td', { cls: 'grow' }, pre(c.text || '(empty)')),
      h('td', { cls: 'num' }, String(c.trials)),
      h('td', { cls: 'num' }, c.bestMinibatch === undefined ? '' : formatScore(c.bestMinibatch)),
      h('td', { cls: 'num' }, c.bestFull === undefined ? '' : formatScore(c.bestFull)),
      h('td', {}, c.chosen ? h('span', { cls: 'badge' }, 'accepted') : null),
    ),
  );
  const dropped = view.dropped ? `, ${view.dropped} proposal(s) dropped in the stage` : '';
  const title = `Instruction candidates · ${view.stage} · ${view.items.length - 1} proposed by ${view.proposer}${dropped}`;
  const box = section(title, false, h('table', { cls: 'candidates' }, head, ...rows));
  box.title = explainStage(view.stage) ?? view.stage;
  return box;
}
