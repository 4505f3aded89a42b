/// <reference lib="dom" />
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSkipped, chromiumPath, startChromium, type BrowserSession } from './lib/chromium';
import { MODULES, PROMPT_ID, TRAIN_ID, writePromptRun, writeTrainRun } from './lib/chartRun';
import { cspViolations, generateReport, instrument, openFile, REPO_ROOT, type PageProbe } from './lib/reportPage';

// The Overview charts (uPlot on canvas) in a real browser, under the report's
// strict CSP: readable tick labels, the last x label whole, identical series
// both visible, values on hover, trainer curves, and a prompt-only run's scores.
// Screenshots go to test-artifacts/ (git-ignored).

const SHOTS = join(REPO_ROOT, 'test-artifacts');

/** Ink (alpha > 0) of one canvas, read back in the page; the canvas has a transparent background. */
interface CanvasInk {
  width: number;
  height: number;
  cssWidth: number;
  dpr: number;
  /** Bottom of the plot area in canvas px (uPlot's .u-over covers the plot area). */
  plotBottom: number;
  plotRight: number;
  alpha: number[];
  rgb: number[];
}

const READ_CANVAS = `(fig) => {
  const c = fig.querySelector('canvas');
  const over = fig.querySelector('.u-over');
  const ctx = c.getContext('2d');
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  const alpha = [], rgb = [];
  for (let i = 0; i < d.length; i += 4) { alpha.push(d[i + 3]); rgb.push((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); }
  const dpr = window.devicePixelRatio;
  return { width: c.width, height: c.height, cssWidth: c.getBoundingClientRect().width, dpr, plotBottom: Math.round((over.offsetTop + over.offsetHeight) * dpr), plotRight: Math.round((over.offsetLeft + over.offsetWidth) * dpr), alpha, rgb };
}`;

const inked = (c: CanvasInk, x: number, y: number) => c.alpha[y * c.width + x] > 0;

/** Rows below the plot area that hold ink, as runs [from, to) of 3+ rows (thinner runs are grid lines). The first run is the x tick labels. */
function inkRuns(c: CanvasInk): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let y = c.plotBottom + 2; y <= c.height; y++) {
    let any = false;
    for (let x = 0; y < c.height && x < c.width && !any; x++) any = inked(c, x, y);
    if (any && start < 0) start = y;
    if (!any && start >= 0) {
      runs.push([start, y]);
      start = -1;
    }
  }
  return runs.filter(([a, b]) => b - a >= 3);
}

/** Pixels within `tol` of an #rrggbb colour (antialiasing blends the edges). */
function near(c: CanvasInk, hex: string, tol = 60): number {
  const t = parseInt(hex.slice(1), 16);
  let n = 0;
  c.rgb.forEach((v, i) => {
    if (c.alpha[i] < 200) return;
    const d = Math.abs((v >> 16) - (t >> 16)) + Math.abs(((v >> 8) & 255) - ((t >> 8) & 255)) + Math.abs((v & 255) - (t & 255));
    if (d <= tol) n++;
  });
  return n;
}

describe('Overview charts in chromium (uPlot under the strict CSP)', function () {
  let root: string;
  let session: BrowserSession;
  let page: Page;
  let probe: PageProbe;

  before(async function () {
    if (browserSkipped()) this.skip();
    chromiumPath();
    root = mkdtempSync(join(tmpdir(), 'panel-charts-'));
    writeTrainRun(join(root, TRAIN_ID));
    writePromptRun(join(root, PROMPT_ID));
    await generateReport(join(root, TRAIN_ID), join(root, 'train.html'));
    await generateReport(join(root, PROMPT_ID), join(root, 'prompt.html'));
    session = await startChromium();
    page = session.page;
    probe = await instrument(page);
    await openFile(page, join(root, 'train.html'));
    await page.locator('.chart canvas').nth(7).waitFor();
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'overview-charts.png'), fullPage: true });
  });

  after(async () => {
    await session?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const chart = (title: string) => page.locator('figure.chart', { has: page.locator('figcaption', { hasText: title }) });
  async function readInk(title: string): Promise<CanvasInk> {
    return chart(title).evaluate(new Function('fig', `return (${READ_CANVAS})(fig)`) as (fig: Element) => CanvasInk);
  }

  it('draws every chart, trainer curves included, with no CSP violation or page error', async () => {
    const captions = await page.locator('figure.chart figcaption').allTextContents();
    for (const t of ['Mean reward per step', 'Validation score', 'Reward per module', 'Trainer loss', 'KL to the reference model', 'Clip ratio', 'Gradient norm']) {
      assert.ok(captions.some((c) => c.startsWith(t)), `no chart "${t}" in ${captions.join(' | ')}`);
    }
    assert.equal(await page.locator('figure.chart canvas').count(), captions.length, 'each chart is drawn');
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(probe.pageErrors, []);
    assert.deepEqual(probe.consoleErrors, []);
  });

  it('draws tick labels unscaled and at least 11 px tall fonts (digits >= 8 px of ink)', async () => {
    const c = await readInk('Validation score');
    assert.ok(Math.abs(c.width - c.cssWidth * c.dpr) <= 1, `the canvas is drawn at its on-screen size (${c.width} px for ${c.cssWidth} css px): text is not scaled down`);
    const [labels] = inkRuns(c);
    assert.ok(labels, 'x tick labels are drawn');
    const digitHeight = (labels[1] - labels[0]) / c.dpr;
    assert.ok(digitHeight >= 8, `x tick digits are ${digitHeight} px tall on screen; an 11 px font gives 8 or more`);
  });

  it('keeps the last x label whole: nothing touches the canvas right edge, and the label near it is drawn', async () => {
    for (const title of ['Mean reward per step', 'Validation score', 'Trainer loss']) {
      const c = await readInk(title);
      for (let y = 0; y < c.height; y++) for (const x of [c.width - 1, c.width - 2]) assert.ok(!inked(c, x, y), `${title}: ink at the right edge (x=${x}, y=${y}): something is clipped`);
      const [labels] = inkRuns(c);
      let lastLabel = false;
      for (let y = labels[0]; y < labels[1] && !lastLabel; y++) for (let x = c.plotRight - 4; x < c.width && !lastLabel; x++) lastLabel = inked(c, x, y);
      assert.ok(lastLabel, `${title}: the last x label (at the plot's right end) is drawn`);
    }
  });

  it('keeps two identical series both visible (own dash and marker), with a legend entry each', async () => {
    const c = await readInk('Reward per module');
    // The report's palette: --s0 #3794ff, --s1 #d18616 (no VS Code theme).
    assert.ok(near(c, '#3794ff') > 40, `series 1 of 2 visible (${near(c, '#3794ff')} px)`);
    assert.ok(near(c, '#d18616') > 40, `series 2 of 2 visible (${near(c, '#d18616')} px)`);
    const legend = await chart('Reward per module').locator('.u-legend .u-series').allTextContents();
    assert.equal(legend.length, 3, 'x plus one legend row per module');
    assert.ok(MODULES.every((m) => legend.some((l) => l.includes(m))));
    const markers = await chart('Reward per module').locator('.u-legend .u-series .u-marker').evaluateAll((els) => els.map((e) => `${getComputedStyle(e).borderTopStyle} ${getComputedStyle(e).backgroundColor}`));
    assert.equal(new Set(markers.slice(1)).size, 2, `legend swatches differ: ${markers.join(' | ')}`);
  });

  it('shows the values under the cursor, scores as percents', async () => {
    const over = chart('Validation score').locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 2 + 3, box.y + box.height / 2);
    const values = await chart('Validation score').locator('.u-legend .u-value').allTextContents();
    assert.match(values[0], /^\d+$/, `step under the cursor: ${values.join(' | ')}`);
    assert.match(values[1], /^\d+\.\d%$/, `val score under the cursor: ${values.join(' | ')}`);
    await page.screenshot({ path: join(SHOTS, 'overview-charts-hover.png'), fullPage: true });
  });

  it("shows both runs on Compare mode's Overview (the host's compare message)", async () => {
    // The report accepts messages from its own window: post what the host posts for a comparison.
    await page.evaluate(`(() => {
      const left = JSON.parse(document.getElementById('mmgrpo-data').textContent).view;
      const right = JSON.parse(JSON.stringify(left));
      right.manifest.id = 'chart-train-b';
      right.reward = right.reward.map((p) => ({ step: p.step, value: p.value / 2 }));
      window.postMessage({ type: 'compare', left, right }, '*');
    })()`);
    const overview = page.locator('.compare-overview');
    await overview.locator('figure.chart canvas').first().waitFor();
    const legend = await chart('Mean reward per step').locator('.u-legend .u-series').allTextContents();
    assert.ok(legend.some((l) => l.includes(`A: ${TRAIN_ID}`)) && legend.some((l) => l.includes('B: chart-train-b')), legend.join(' | '));
    const c = await readInk('Mean reward per step');
    assert.ok(near(c, '#3794ff') > 40 && near(c, '#d18616') > 40, 'both runs are drawn');
    await page.screenshot({ path: join(SHOTS, 'overview-compare.png'), fullPage: true });
  });

  it("shows a prompt-only run's scores on its Overview, not 'no data yet'", async () => {
    await openFile(page, join(root, 'prompt.html'));
    await page.locator('.chart canvas').first().waitFor();
    const text = await page.locator('#app main').textContent();
    assert.doesNotMatch(text ?? '', /no data yet/);
    assert.match(text ?? '', /val score 43\.8%/);
    assert.match(text ?? '', /Full-eval score of each accepted prompt candidate/);
    const c = await readInk('Full-eval score of each accepted prompt candidate');
    assert.ok(near(c, '#3794ff') > 40, 'the candidate scores are drawn');
    assert.deepEqual(await cspViolations(page), []);
    await page.screenshot({ path: join(SHOTS, 'overview-prompt-run.png'), fullPage: true });
  });
});
