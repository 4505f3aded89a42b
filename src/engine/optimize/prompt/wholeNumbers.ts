/**
 * Throws `<fn>: \`<name>\` must be a whole number >= <min>, got <value>.` for
 * the first option (in `mins` order) that is not an integer at least its minimum.
 */
export function requireWholeNumbers(fn: string, options: object, mins: Record<string, number>): void {
  const values = options as Record<string, unknown>;
  for (const [name, min] of Object.entries(mins)) {
    const v = values[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`${fn}: \`${name}\` must be a whole number >= ${min}, got ${String(v)}.`);
  }
}
