import type { RunEvent, StepFinishedEvent } from '../../protocol/events';
import { formatScore } from '../../protocol/scoreFormat';

// Run events as lines for people, shared by the CLI's progress output and the
// extension's task terminal so both say the same thing in the same words.

/** Distinct errors listed under a score line; the rest are counted, all of them are in events.jsonl. */
const ERRORS_SHOWN = 3;
const MESSAGE_CHARS = 200;

/** One line per notable event; undefined for events not worth a line (progress is drawn as a bar). */
export function describeEvent(e: RunEvent): string | undefined {
  switch (e.type) {
    case 'run_started':
      return `${e.resumed ? 'Resumed' : 'Started'} ${e.kind} run ${e.runId} (${e.taskName})`;
    case 'stage_started':
      return `▸ ${e.label}`;
    case 'eval_finished':
      return `  ${e.step !== undefined ? `step ${e.step} ` : ''}${e.split} score ${formatScore(e.score)} over ${e.count} examples${e.errors ? `, ${e.errors} with errors` : ''}`;
    case 'step_finished':
      return stepLine(e);
    case 'checkpoint_saved':
      return e.best && e.valScore !== undefined ? `  new best: ${formatScore(e.valScore)} at step ${e.step}` : undefined;
    case 'prompt_trial':
      return e.scope === 'full' ? `  ${e.stage}: ${e.candidateId} scores ${formatScore(e.score)} on ${e.size} examples${e.best ? ' (new best)' : ''}` : undefined;
    case 'stage_summary':
      return `  ${e.stage} done: val ${formatScore(e.valScore)}${e.stoppedBy ? ' (stopped early at the budget)' : ''}`;
    case 'log':
      return `${e.level === 'info' ? '' : e.level.toUpperCase() + ': '}${e.message}`;
    case 'run_finished':
      return `Run ${e.status}${e.error ? `: ${e.error}` : ''}`;
    default:
      return undefined;
  }
}

function stepLine(e: StepFinishedEvent): string {
  const groups = e.modules.reduce((n, m) => n + m.groups, 0);
  const trained = e.modules.reduce((n, m) => n + m.trainedGroups, 0);
  const loss = e.trainer['trainer/loss'];
  const fails = e.rollouts.formatFailures + e.rollouts.failures;
  return `  step ${e.step}: reward ${e.rewardMean.toFixed(3)} ± ${e.rewardStd.toFixed(3)}, groups ${trained}/${groups} trained${loss !== undefined ? `, loss ${loss.toFixed(4)}` : ''}${fails ? `, ${fails} failed rollouts` : ''}`;
}

/**
 * The most frequent distinct error messages with their counts, most frequent
 * first (ties in order of first appearance), as indented lines.
 */
export function errorTallyLines(messages: readonly string[], shown = ERRORS_SHOWN): string[] {
  const counts = new Map<string, number>();
  for (const m of messages) {
    const line = m.split('\n')[0].trim();
    const key = line.length > MESSAGE_CHARS ? `${line.slice(0, MESSAGE_CHARS)}…` : line;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const lines = ranked.slice(0, shown).map(([m, n]) => `    ${n}× ${m}`);
  if (ranked.length > shown) lines.push(`    … and ${ranked.length - shown} more distinct errors (all in the run's events.jsonl)`);
  return lines;
}

/**
 * Lines for a stream of events: describeEvent's line, and under a score or
 * step line the first distinct errors of its examples or rollouts with counts
 * (the messages themselves only live in example_evaluated / rollouts events).
 */
export function eventNarrator(): (e: RunEvent) => string[] {
  const pending = new Map<string, string[]>();
  const keep = (key: string, message: string) => pending.set(key, [...(pending.get(key) ?? []), message]);
  const take = (key: string) => {
    const messages = pending.get(key) ?? [];
    pending.delete(key);
    return errorTallyLines(messages);
  };
  return (e) => {
    if (e.type === 'example_evaluated') {
      if (e.error) keep(`${e.stage}#${e.step ?? ''}`, e.error);
      return [];
    }
    if (e.type === 'rollouts') {
      for (const r of e.rollouts) if (r.error) keep(`rollouts ${e.stage}#${e.step}`, r.error);
      return [];
    }
    const line = describeEvent(e);
    const errors = e.type === 'eval_finished' ? take(`${e.stage}#${e.step ?? ''}`) : e.type === 'step_finished' ? take(`rollouts ${e.stage}#${e.step}`) : [];
    return line === undefined ? errors : [line, ...errors];
  };
}
