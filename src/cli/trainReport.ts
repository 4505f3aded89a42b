import type { RunEvent, StepFinishedEvent } from '../protocol/events';
import { formatScore, formatScoreDelta } from '../protocol/scoreFormat';

/** The final table of `mmgrpo train`: validation before/after and per-module group statistics. */
export function trainReport(events: readonly RunEvent[], summary: Record<string, number>): string {
  const steps = events.filter((e): e is StepFinishedEvent => e.type === 'step_finished');
  const lines: string[] = [];
  const pct = (x: number | undefined) => formatScore(x).padStart(6);
  lines.push('', 'Validation');
  const row = (label: string, step: number | undefined, value: number | undefined) =>
    `  ${`${label} (step ${step ?? '?'})`.padEnd(22)} ${pct(value)}`;
  lines.push(row('start', 0, summary['val/start']));
  lines.push(row('best', summary['val/best_step'], summary['val/best']));
  lines.push(row('final', summary['train/steps'], summary['val/final']));
  if (summary['val/best'] !== undefined && summary['val/start'] !== undefined) {
    lines.push(`  change (best - start)  ${formatScoreDelta(summary['val/best'] - summary['val/start'])}`);
  }
  const modules = aggregate(steps);
  if (modules.length) {
    lines.push('', 'Module groups over all steps');
    const head = ['module', 'groups', 'trained', 'reward mean', 'zero-std', 'format fail', 'calls/rollout'];
    const rows = modules.map((m) => [m.module, String(m.groups), String(m.trained), m.rewardMean.toFixed(3), pct(m.zeroStd).trim(), pct(m.formatFail).trim(), m.calls.toFixed(2)]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r: string[]) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    lines.push(fmt(head), ...rows.map(fmt));
  }
  return lines.join('\n') + '\n';
}

interface ModuleTotals {
  module: string;
  groups: number;
  trained: number;
  rewardMean: number;
  zeroStd: number;
  formatFail: number;
  calls: number;
}

function aggregate(steps: readonly StepFinishedEvent[]): ModuleTotals[] {
  const by = new Map<string, { groups: number; trained: number; reward: number; zero: number; fmt: number; calls: number; n: number }>();
  for (const s of steps) {
    for (const m of s.modules) {
      const t = by.get(m.module) ?? { groups: 0, trained: 0, reward: 0, zero: 0, fmt: 0, calls: 0, n: 0 };
      t.groups += m.groups;
      t.trained += m.trainedGroups;
      t.reward += m.rewardMean;
      t.zero += m.fracRewardZeroStd * m.groups;
      t.fmt += m.formatFailureRate;
      t.calls += m.callsMean;
      t.n++;
      by.set(m.module, t);
    }
  }
  return [...by.entries()].map(([module, t]) => ({
    module,
    groups: t.groups,
    trained: t.trained,
    rewardMean: t.reward / t.n,
    zeroStd: t.groups ? t.zero / t.groups : 0,
    formatFail: t.fmt / t.n,
    calls: t.calls / t.n,
  }));
}
