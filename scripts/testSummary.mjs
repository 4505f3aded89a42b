// Counting for the test command's summary line, kept apart from the runner so
// a unit test can check it: what mocha reported (passed, failed, pending) per
// suite, and whether a suite that must run in CI was skipped without the
// opt-out being set.

/** Sums every mocha summary in a step's output (the e2e step prints one per phase). */
export function countMocha(stdout) {
  const sum = (re) => [...stdout.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);
  return { passed: sum(/^\s*(?:\[\w+\]\s*)?(\d+) passing\b/gm), failed: sum(/^\s*(?:\[\w+\]\s*)?(\d+) failing\b/gm), pending: sum(/^\s*(?:\[\w+\]\s*)?(\d+) pending\b/gm) };
}

/** The "N passed, N failed, N pending" line. */
export function summaryLine(c) {
  return `${c.passed} passed, ${c.failed} failed, ${c.pending} pending`;
}

/**
 * Why a suite that must run in CI did not really run (undefined when it did,
 * or when the user opted out with `optOut=1`): nothing passed, or some of it
 * was skipped (pending).
 */
export function requiredSuiteProblem(name, counts, optOut, env = process.env) {
  if (env[optOut] === '1') return undefined;
  if (counts.passed === 0) return `${name}: no test passed (the suite did not run). Fix what stopped it, or set ${optOut}=1 to skip it on purpose.`;
  if (counts.pending > 0) return `${name}: ${counts.pending} test(s) were skipped (pending), but this suite must run in CI. Make them run, or set ${optOut}=1 to skip the suite on purpose.`;
  return undefined;
}
