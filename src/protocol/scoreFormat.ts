/**
 * How a score reads everywhere (CLI, editor, run panel, HTML report): a
 * metric's mean in 0..1 shown as a percent with one decimal, so the same
 * score never shows as "37.5%" in one place and "0.375" in another.
 *
 * It lives in protocol, the one layer every other may import (the webview
 * may not import engine), and imports nothing.
 */

/** Shown where a score is missing or not a number. */
export const NO_SCORE = '–';

/** 0.375 -> "37.5%"; undefined, null or NaN -> "–". */
export function formatScore(score: number | undefined | null): string {
  if (score === undefined || score === null || Number.isNaN(score)) return NO_SCORE;
  if (!Number.isFinite(score)) return score > 0 ? '∞' : '-∞';
  return `${(score * 100).toFixed(1)}%`;
}

/** A difference of two scores in percentage points: 0.042 -> "+4.2 pp", so it is not read as a relative change. */
export function formatScoreDelta(delta: number | undefined | null): string {
  if (delta === undefined || delta === null || !Number.isFinite(delta)) return NO_SCORE;
  const pp = Math.round(delta * 1000) / 10;
  const sign = pp > 0 ? '+' : pp < 0 ? '−' : '±';
  return `${sign}${Math.abs(pp).toFixed(1)} pp`;
}

/**
 * Summary keys that hold scores (formatted with formatScore), by their last
 * slash segment: `val/score`, `val/start`, `p1/final`, `val/best`, and a
 * stage's val score `p1/val`. Counts and steps (`val/errors`,
 * `val/best_step`, `stages/finished`) are not scores.
 */
export function isScoreKey(key: string): boolean {
  return /(^|\/)(score|start|final|best|val)$/.test(key);
}
