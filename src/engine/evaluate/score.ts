import type { ModuleCallRecord } from '../../protocol/trace';
import type { Example, Metric, Prediction } from '../tasks/types';

export type MetricOutcome = { ok: true; score: number } | { ok: false; error: string };

/**
 * Calls the user's metric and insists on a finite number: NaN, undefined or
 * a string is an error of the metric (named as such), never a silent 0.
 */
export async function applyMetric(
  metric: Metric,
  example: Example,
  prediction: Prediction,
  trace: readonly ModuleCallRecord[],
): Promise<MetricOutcome> {
  let value: unknown;
  try {
    value = metric(example, prediction, trace);
    // Most metrics are synchronous: await only a thenable, saving a turn per example.
    if (isThenable(value)) value = await value;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { ok: false, error: `The metric threw ${e.name}: ${e.message}` };
  }
  if (typeof value === 'boolean') return { ok: true, score: value ? 1 : 0 };
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const shown = typeof value === 'number' ? String(value) : value === undefined ? 'undefined' : `a ${typeof value} (${JSON.stringify(value)?.slice(0, 40)})`;
    return { ok: false, error: `The metric returned ${shown}; it must return a finite number (or a boolean).` };
  }
  return { ok: true, score: value };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
