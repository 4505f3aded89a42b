import type { ModuleCallRecord } from '../../protocol/trace';
import type { Example, Metric, Prediction } from '../tasks/types';

export type MetricOutcome = { ok: true; score: number } | { ok: false; error: string };

/**
 * Calls the user's metric and insists on a finite number: NaN, undefined or
 * a string is an error of the metric (named as such), never a silent 0.
 */
export function applyMetric(
  metric: Metric,
  example: Example,
  prediction: Prediction,
  trace: readonly ModuleCallRecord[],
): MetricOutcome | Promise<MetricOutcome> {
  // Most metrics are synchronous: their outcome is returned as is, not wrapped in a promise
  // (callers `await` it either way, and an awaited plain value costs less than a promise).
  let value: unknown;
  try {
    value = metric(example, prediction, trace);
  } catch (err) {
    return metricThrew(err);
  }
  return isThenable(value) ? Promise.resolve(value).then(checkValue, metricThrew) : checkValue(value);
}

function metricThrew(err: unknown): MetricOutcome {
  const e = err instanceof Error ? err : new Error(String(err));
  return { ok: false, error: `The metric threw ${e.name}: ${e.message}` };
}

function checkValue(value: unknown): MetricOutcome {
  if (typeof value === 'boolean') return { ok: true, score: value ? 1 : 0 };
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const shown = typeof value === 'number' ? String(value) : value === undefined ? 'undefined' : `a ${typeof value} (${preview(value)})`;
    return { ok: false, error: `The metric returned ${shown}; it must return a finite number (or a boolean).` };
  }
  return { ok: true, score: value };
}

/** A short rendering of a wrong metric value; never throws (a BigInt or a cycle defeats JSON.stringify). */
function preview(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  return (text ?? String(value)).slice(0, 40);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
