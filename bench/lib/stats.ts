// Shared statistics for the benchmarks, so every bench reports the same kind of median.

/** The median; for an even count, the mean of the two middle values (the benches run even round counts). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN; // printed as NaN rather than aborting a long bench run
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Mean ± sample standard deviation of scores in [0, 1], as percentages with one decimal (the learning tables). */
export function percentMeanStd(xs: readonly number[]): string {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${(100 * m).toFixed(1)} ± ${(100 * sd).toFixed(1)}`;
}
