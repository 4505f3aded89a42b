import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive, readRun } from '../../../src/engine/runs';
import { buildRunView } from '../../../src/engine/runs/runView';
import { bundleWebview, escapeJsonForHtml, renderReportHtml, reportCommand } from '../../../src/cli/commands/reportCommand';
import { rollout, syntheticRun, writeCrashedTrainRun } from '../webview/fixtures';

const EVIL = ['</script><script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[x](javascript:alert(1))', '<!-- <script>', 'line\u2028sep\u2029end &amp;'];

function evilView() {
  const view = buildRunView(syntheticRun(4, 1));
  view.rollouts!.items = EVIL.map((c, i) => rollout(i, 0, 0, c));
  view.manifest = { ...view.manifest, taskName: '<b>task</b>' };
  return view;
}

/** Start and end of the embedded JSON block in the page. */
function dataBlock(html: string): { start: number; end: number; json: string } {
  const open = '<script type="application/json" id="mmgrpo-data">';
  const start = html.indexOf(open) + open.length;
  const end = html.indexOf('</script>', start);
  return { start, end, json: html.slice(start, end) };
}

async function captureStdout(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    return { code: await fn(), out };
  } finally {
    process.stdout.write = write;
  }
}

describe('mmgrpo report', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'report-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('embeds model output only as escaped JSON that reads back verbatim', () => {
    const view = evilView();
    const html = renderReportHtml(view, 'console.log(1)', 'body{}', 'N0NCE');
    assert.equal(html.includes('</script><script>alert'), false);
    assert.equal(html.includes('<img src=x'), false);
    assert.equal(html.includes('<b>task</b>'), false);
    assert.equal(html.includes('\u2028'), false);
    assert.equal((html.match(/<script/g) ?? []).length, 2, 'only the data block and our script');
    const { start, end, json } = dataBlock(html);
    for (let i = html.indexOf('javascript:'); i !== -1; i = html.indexOf('javascript:', i + 1)) assert.ok(i > start && i < end, 'javascript: appears outside the data block');
    const back = JSON.parse(json) as { type: string; view: typeof view };
    assert.equal(back.type, 'snapshot');
    assert.deepEqual(back.view.rollouts!.items.map((r) => r.trace[0].completion), EVIL);
  });

  it('sets a strict CSP whose nonce matches the inline script and style', () => {
    const html = renderReportHtml(evilView(), 'console.log("</script>")', 'a{}');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'CSP meta present');
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16);
    assert.ok(html.includes(`<script nonce="${nonce}">`));
    assert.ok(html.includes(`<style nonce="${nonce}">`));
    assert.match(csp, new RegExp(`style-src 'nonce-${nonce.replace(/[+/=]/g, '\\$&')}'`));
    // Our own script's string cannot close its element either.
    assert.equal(html.includes('console.log("</script>")'), false);
    assert.notEqual(renderReportHtml(evilView(), '', ''), renderReportHtml(evilView(), '', ''), 'fresh nonce per report');
  });

  it('escapes <, >, & and line separators as \\u escapes', () => {
    assert.equal(escapeJsonForHtml(JSON.stringify('</a>&\u2028\u2029')), '"\\u003c/a\\u003e\\u0026\\u2028\\u2029"');
  });

  it('builds the panel bundle for the browser without errors', async function () {
    this.timeout(30_000);
    const js = await bundleWebview(join(__dirname, '..', '..', '..', 'src', 'webview', 'main.ts'));
    assert.ok(js.length > 1000);
    assert.equal(/require\(["']node:/.test(js), false, 'no Node built-ins in the browser bundle');
    assert.match(js, /mmgrpo-data/);
  });

  it('writes one self-contained HTML file for a run folder and prints its path', async function () {
    this.timeout(30_000);
    writeCrashedTrainRun(join(root, 'run'));
    const out = join(root, 'r.html');
    const { code, out: printed } = await captureStdout(() => reportCommand([join(root, 'run'), '--out', out, '--step', '1']));
    assert.equal(code, 0);
    assert.equal(printed.trim(), out);
    const html = readFileSync(out, 'utf8');
    assert.equal(/<(link|img|iframe)\b|src=["']http/.test(html), false, 'no external resources');
    const data = JSON.parse(dataBlock(html).json) as { view: { rollouts: { step: number } } };
    assert.equal(data.view.rollouts.step, 1);
    await assert.rejects(reportCommand([join(root, 'run'), '--step', '7']), /no finished step 7 \(finished steps: 1, 2\)/);
    await assert.rejects(reportCommand(['nope', '--runs-dir', root]), /no run "nope"/);
    assert.equal(existsSync(join(root, 'run', 'report.html')), false);
  });

  it('times the view and the page for a synthetic 10,000-rollout run (logged, not asserted)', () => {
    const run = syntheticRun(10_000);
    const t0 = process.hrtime.bigint();
    const view = buildRunView(run);
    const t1 = process.hrtime.bigint();
    const html = renderReportHtml(view, 'void 0', '');
    const t2 = process.hrtime.bigint();
    assert.equal(view.rollouts?.items.length, 10_000);
    const ms = (a: bigint, b: bigint) => (Number(b - a) / 1e6).toFixed(1);
    // The same run from disk, as `mmgrpo report` reads it (JSONL parse dominates).
    const dir = join(root, 'big');
    mkdirSync(dir);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(run.manifest));
    writeFileSync(join(dir, 'events.jsonl'), run.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const t3 = process.hrtime.bigint();
    const fromDisk = buildRunView(readRun(dir, isProcessAlive));
    const t4 = process.hrtime.bigint();
    assert.equal(fromDisk.rollouts?.items.length, 10_000);
    console.log(`      10,000 rollouts: buildRunView ${ms(t0, t1)} ms, renderReportHtml ${ms(t1, t2)} ms, page ${(html.length / 1e6).toFixed(1)} MB, readRun+buildRunView from disk ${ms(t3, t4)} ms`);
  });
});
