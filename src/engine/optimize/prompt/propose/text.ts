/** Short single-line rendering of any value, so one long field cannot crowd out the rest of a prompt. */
export function clip(value: unknown, max: number): string {
  const text = (typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)).replace(/\s+/g, ' ').trim();
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Renders `name: value` lines for a record, each value clipped. */
export function fieldLines(record: Record<string, unknown>, max: number, indent = '  '): string[] {
  return Object.entries(record).map(([k, v]) => `${indent}${k}: ${clip(v, max)}`);
}
