import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Counts {
  passed: number;
  failed: number;
  pending: number;
}
interface SummaryModule {
  countMocha(stdout: string): Counts;
  summaryLine(c: Counts): string;
  requiredSuiteProblem(name: string, c: Counts, optOut: string, env?: Record<string, string | undefined>): string | undefined;
}

const root = join(__dirname, '..', '..', '..');
const load = () => import(pathToFileURL(join(root, 'scripts', 'testSummary.mjs')).href) as Promise<SummaryModule>;

describe('test command summary (scripts/test.mjs)', () => {
  it('counts passed, failed and pending over every mocha summary in a step, e2e phases included', async () => {
    const { countMocha, summaryLine } = await load();
    const out = [
      '  12 passing (3s)', '  2 failing', '  3 pending', // a plain mocha run
      '  [trusted]   5 passing (4m)', '  [trusted]   1 pending', // the e2e host log, one summary per phase
      '  [untrusted]   2 passing (20s)',
      'log: the model said "7 passing" mid-line', // not a summary line
    ].join('\n');
    assert.deepEqual(countMocha(out), { passed: 19, failed: 2, pending: 4 });
    assert.equal(summaryLine(countMocha(out)), '19 passed, 2 failed, 4 pending');
    assert.deepEqual(countMocha(''), { passed: 0, failed: 0, pending: 0 });
  });

  it('a required suite that was skipped fails unless its opt-out is set', async () => {
    const { requiredSuiteProblem } = await load();
    const skippedBrowser = { passed: 1, failed: 0, pending: 7 }; // what MMGRPO_SKIP_BROWSER=1 prints today
    assert.match(requiredSuiteProblem('browser tests', skippedBrowser, 'MMGRPO_SKIP_BROWSER', {})!, /7 test\(s\) were skipped.*MMGRPO_SKIP_BROWSER=1/);
    assert.match(requiredSuiteProblem('VS Code end-to-end tests', { passed: 0, failed: 0, pending: 0 }, 'MMGRPO_SKIP_E2E', {})!, /no test passed.*MMGRPO_SKIP_E2E=1/);
    assert.equal(requiredSuiteProblem('browser tests', skippedBrowser, 'MMGRPO_SKIP_BROWSER', { MMGRPO_SKIP_BROWSER: '1' }), undefined);
    assert.equal(requiredSuiteProblem('browser tests', skippedBrowser, 'MMGRPO_SKIP_BROWSER', { MMGRPO_SKIP_BROWSER: 'yes' }) !== undefined, true, 'only "1" opts out');
    assert.equal(requiredSuiteProblem('browser tests', { passed: 8, failed: 0, pending: 0 }, 'MMGRPO_SKIP_BROWSER', {}), undefined);
  });

  it('every mocha run of the test command forbids .only, and so does the unit config', () => {
    const script = readFileSync(join(root, 'scripts', 'test.mjs'), 'utf8');
    const mochaCommands = [...script.matchAll(/['`]npx mocha[^'`]*['`]/g)].map((m) => m[0]);
    assert.ok(mochaCommands.length >= 2, `mocha commands found: ${mochaCommands.join(' | ')}`);
    for (const c of mochaCommands) assert.match(c, /--forbid-only/, c);
    assert.match(script, /\$\{MOCHA_TS\} [^`]*"test\/integration/);
    assert.match(script, /\$\{MOCHA_TS\} [^`]*"test\/browser/);
    const config = JSON.parse(readFileSync(join(root, '.mocharc.json'), 'utf8'));
    assert.equal(config['forbid-only'], true);
  });
});
