/** Display helpers shared by the panel's views (DOM-free). Scores use protocol/scoreFormat (one format with the CLI). */

export function fmtNum(x: number | undefined, digits = 3): string {
  if (x === undefined || x === null || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (Number.isInteger(x)) return String(x);
  return x.toFixed(digits);
}

/** One-line preview of arbitrary text: whitespace collapsed, cut at `max` characters. */
export function preview(text: string | null | undefined, max = 120): string {
  if (text === null || text === undefined) return '∅';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Pretty JSON that never throws (cycles or bigints from odd outputs). */
export function toJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
