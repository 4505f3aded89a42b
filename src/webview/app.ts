import type { HostToWebview, RunView, StepView } from '../protocol/webview';
import { compareOverview, compareView } from './compareView';
import { clear, h } from './dom';
import { groupPanel, lookupFor } from './groupPanel';
import type { HostLink } from './messages';
import { curves, runHeader, stepStats } from './overview';
import { parsePanelState, type PanelState, type Tab } from './panelState';
import { promptPanel } from './promptPanel';
import { option, rolloutPanel } from './rolloutPanel';

const TAB_LABELS: Record<Tab, string> = { overview: 'Overview', step: 'Groups', rollouts: 'Rollouts', prompts: 'Prompts', compare: 'Compare' };

/** The run panel: holds the latest snapshot and re-renders from it (state never arrives as deltas). */
export class App {
  private view?: RunView;
  private pair?: { left: RunView; right: RunView };
  private error?: string;
  private tab: Tab;
  private step?: number;
  /** Tab, step and selections as saved; restored when the panel is shown again or reopened. */
  private readonly saved: PanelState;

  constructor(private readonly root: HTMLElement, private readonly host: HostLink) {
    this.saved = parsePanelState(host.getState?.());
    this.tab = this.saved.tab ?? 'overview';
    this.step = this.saved.step;
  }

  handle(msg: HostToWebview): void {
    if (msg.type === 'error') this.error = msg.message;
    if (msg.type === 'compare') {
      this.pair = { left: msg.left, right: msg.right };
      if (this.tab !== 'overview') this.tab = 'compare';
      this.error = undefined;
    }
    if (msg.type === 'snapshot') {
      const old = this.view;
      // A slower, older snapshot of the same run must not overwrite a newer one.
      if (old && old.manifest.id === msg.view.manifest.id && msg.view.revision < old.revision) return;
      const sameRun = old ? old.manifest.id === msg.view.manifest.id : this.saved.runs?.[0] === msg.view.manifest.id;
      this.view = msg.view;
      this.error = undefined;
      this.step = pickStep(msg.view, sameRun ? this.step : undefined);
      // A restored panel gets the host's default step first: ask once for the step it showed.
      if (!old && sameRun && this.host.live && this.step !== undefined && msg.view.rollouts?.step !== this.step) this.host.post({ type: 'selectStep', step: this.step });
      if (this.tab === 'compare' && !this.pair) this.tab = 'overview';
    }
    this.save({});
    this.render();
  }

  /** Merges `patch` into the saved state and hands it to the host's state API. */
  private save(patch: PanelState): void {
    Object.assign(this.saved, patch, { tab: this.tab, step: this.step });
    const runs = this.pair ? [this.pair.left.manifest.id, this.pair.right.manifest.id] : this.view ? [this.view.manifest.id] : undefined;
    if (runs) this.saved.runs = runs;
    this.host.setState?.({ ...this.saved });
  }

  private selectStep(step: number): void {
    this.step = step;
    if (this.tab === 'overview') this.tab = 'step';
    this.save({});
    // The host owns the run files: ask it for that step's rollouts.
    if (this.host.live && this.view?.rollouts?.step !== step) this.host.post({ type: 'selectStep', step });
    this.render();
  }

  render(): void {
    clear(this.root);
    if (this.error) this.root.appendChild(h('div', { cls: 'error banner' }, this.error));
    const v = this.view ?? this.pair?.left;
    if (!v) {
      this.root.appendChild(h('div', { cls: 'muted' }, 'Waiting for run data…'));
      return;
    }
    this.root.appendChild(runHeader(v));
    this.root.appendChild(this.tabs());
    this.root.appendChild(h('main', { cls: 'content' }, this.content()));
  }

  private tabs(): HTMLElement {
    const available: Tab[] = ['overview'];
    if (this.view?.steps.length) available.push('step');
    if (this.view) available.push('rollouts', 'prompts');
    if (this.pair) available.push('compare');
    if (!available.includes(this.tab)) this.tab = available[0];
    return h(
      'nav',
      { cls: 'tabs', attrs: { role: 'tablist' } },
      ...available.map((t) => h('button', { cls: `tab${t === this.tab ? ' active' : ''}`, attrs: { role: 'tab', 'aria-selected': String(t === this.tab) }, onClick: () => this.setTab(t) }, TAB_LABELS[t])),
    );
  }

  private setTab(t: Tab): void {
    this.tab = t;
    this.save({});
    this.render();
  }

  private content(): HTMLElement {
    const v = this.view;
    // In compare mode the Overview shows both runs, also when a single run's snapshot came first (the report).
    if (this.pair && (this.tab === 'compare' || this.tab === 'overview' || !v)) return this.tab === 'compare' ? compareView(this.pair.left, this.pair.right) : compareOverview(this.pair.left, this.pair.right);
    if (!v) return h('div', {});
    if (this.tab === 'prompts') return promptPanel(v.prompts, v.instructionCandidates, this.host.live ? (module, fromVersion, toVersion) => this.host.post({ type: 'openPromptDiff', module, fromVersion, toVersion }) : undefined);
    if (this.tab === 'rollouts') return this.rolloutsTab(v);
    const step = v.steps.find((s) => s.step === this.step);
    if (this.tab === 'step' && step) {
      const lookup = v.rollouts?.step === step.step ? lookupFor(v.rollouts.items) : undefined;
      return h('div', {}, this.stepSelector(v), stepStats(step), groupPanel(step, lookup, { initial: this.saved.group, save: (group) => this.save({ group }) }));
    }
    return h('div', {}, curves(v, v.steps.length ? this.step : undefined, (s) => this.selectStep(s)), step ? stepStats(step) : null);
  }

  private rolloutsTab(v: RunView): HTMLElement {
    const mismatch = this.step !== undefined && v.steps.length > 0 && v.rollouts?.step !== this.step;
    const note = mismatch
      ? this.host.live
        ? `Loading the rollouts of step ${this.step}…`
        : `This report holds the rollouts of step ${v.rollouts?.step ?? '–'} only; run \`mmgrpo report <run> --step ${this.step}\` for step ${this.step}.`
      : undefined;
    const step = v.rollouts?.step;
    const openJson =
      this.host.live && step !== undefined ? (r: { exampleIndex: number; rolloutIndex: number }) => this.host.post({ type: 'openRollout', step, exampleIndex: r.exampleIndex, rolloutIndex: r.rolloutIndex }) : undefined;
    const panel = mismatch ? h('div', { cls: 'muted' }, note) : rolloutPanel(v.rollouts, { openJson, selection: { initial: this.saved.rollout, save: (rollout) => this.save({ rollout }) } });
    return h('div', {}, v.steps.length ? this.stepSelector(v) : null, panel);
  }

  private stepSelector(v: RunView): HTMLElement {
    const sel = h('select', { title: 'training step' }, ...v.steps.map((s: StepView) => option(String(s.step), `step ${s.step}${s.step === v.rollouts?.step ? ' (rollouts)' : ''}`)));
    sel.value = String(this.step ?? '');
    sel.addEventListener('change', () => this.selectStep(Number(sel.value)));
    const idx = v.steps.findIndex((s) => s.step === this.step);
    const go = (d: number) => () => {
      const next = v.steps[idx + d];
      if (next) this.selectStep(next.step);
    };
    return h('div', { cls: 'toolbar' }, h('button', { onClick: go(-1), title: 'previous step' }, '◀'), sel, h('button', { onClick: go(1), title: 'next step' }, '▶'), ` ${v.steps.length} steps`);
  }
}

function pickStep(view: RunView, previous: number | undefined): number | undefined {
  if (previous !== undefined && view.steps.some((s) => s.step === previous)) return previous;
  if (view.rollouts && view.steps.some((s) => s.step === view.rollouts!.step)) return view.rollouts.step;
  return view.steps.length ? view.steps[view.steps.length - 1].step : undefined;
}
