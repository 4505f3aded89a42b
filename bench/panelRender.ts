// Run panel render benchmark (goal: the panel is usable within 1 s on a run
// with 10,000+ rollouts). Writes synthetic runs, then measures
//  1. the extension host's view model: read the run folder (readRunAsync, as
//     the editor's run cache does) + buildRunView capped at 2000 rollouts,
//  2. `mmgrpo report` HTML generation (in-process from source, and the built CLI),
//  3. in chromium: navigation start -> first complete render of the report,
//     the same for the editor path (snapshot posted to the bare panel), and
//     the interactions Groups tab, step switch, group row, Rollouts tab, rollout row,
//  plus the DOM size of the virtualized lists. Medians over --reps runs.
// Usage: npx tsx bench/panelRender.ts [--reps 5] [--scenario all|uniform|bigstep] [--keep]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { loadPanelAssets, renderReportHtml } from '../src/cli/commands/reportCommand';
import { isProcessAlive, readRun } from '../src/engine/runs';
import { buildRunView } from '../src/engine/runs/runView';
import { readRunAsync } from '../src/extension/runs/runData';
import type { RunView } from '../src/protocol/webview';
import { startChromium } from '../test/browser/lib/chromium';
import { generateReport, openFile } from '../test/browser/lib/reportPage';
import { writeBigRun, type BigRunShape } from './lib/bigRun';
import { DOM_COUNT_SCRIPT, TIMING_INIT_SCRIPT } from './lib/pageTiming';
import { median } from './lib/stats';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '5' }, scenario: { type: 'string', default: 'all' }, keep: { type: 'boolean', default: false } } });
const REPS = Number(values.reps);
const GOAL_MS = 1000;
/** The editor's cap on rollouts per snapshot (src/extension/panel/panelHost.ts). */
const HOST_MAX_ROLLOUTS = 2000;
const ROOT = join(__dirname, '..');

const SCENARIOS: Record<string, { label: string; shape: BigRunShape }> = {
  uniform: { label: '40 steps × 256 rollouts (32 examples × 8)', shape: { steps: 40, examplesPerStep: 32, rolloutsPerExample: 8 } },
  bigstep: { label: '40 steps, 39 × 8 rollouts + a last step of 10,000 (2,500 examples × 4)', shape: { steps: 40, examplesPerStep: 2, rolloutsPerExample: 4, lastStepRollouts: 10_000 } },
};

const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const vsGoal = (label: string, xs: number[]) => console.log(`  ${label.padEnd(52)} ${ms(median(xs)).padStart(9)} = ${(median(xs) / GOAL_MS).toFixed(2)} of the 1 s goal   [${xs.map((x) => x.toFixed(0)).join(', ')}]`);
const plain = (label: string, xs: number[]) => console.log(`  ${label.padEnd(52)} ${ms(median(xs)).padStart(9)}   [${xs.map((x) => x.toFixed(0)).join(', ')}]`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const out = fn();
  return [out, performance.now() - t];
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
}

/** (1) The editor's path: async read of the run folder, then the capped snapshot. */
async function measureViewModel(dir: string): Promise<{ view: RunView; otherStep: number }> {
  const cold: number[] = [];
  const read: number[] = [];
  const build: number[] = [];
  const stepSwitch: number[] = [];
  let view!: RunView;
  for (let i = 0; i < REPS; i++) {
    const [run, tRead] = await timeAsync(() => readRunAsync(dir, isProcessAlive));
    const [v, tBuild] = time(() => buildRunView(run, { maxRollouts: HOST_MAX_ROLLOUTS }));
    const [, tSwitch] = time(() => buildRunView(run, { step: 1, maxRollouts: HOST_MAX_ROLLOUTS }));
    read.push(tRead);
    build.push(tBuild);
    cold.push(tRead + tBuild);
    stepSwitch.push(tSwitch);
    view = v;
  }
  const snapshotBytes = Buffer.byteLength(JSON.stringify({ type: 'snapshot', view }));
  console.log(`(1) view model, extension host path (readRunAsync + buildRunView, maxRollouts ${HOST_MAX_ROLLOUTS}); snapshot ${mb(snapshotBytes)}, ${view.rollouts?.items.length} of ${view.rollouts?.total ?? view.rollouts?.items.length} rollouts of step ${view.rollouts?.step}`);
  vsGoal('cold: read + parse events.jsonl + build view', cold);
  plain('  of which readRunAsync (read + JSON parse)', read);
  plain('  of which buildRunView', build);
  vsGoal('step switch (cached run, buildRunView for step 1)', stepSwitch);
  return { view, otherStep: 1 };
}

/** (2) `mmgrpo report`: in-process from source (bundles the panel with esbuild), the built CLI, and the parts. */
async function measureReport(dir: string, out: string): Promise<void> {
  const inProc: number[] = [];
  for (let i = 0; i < REPS; i++) {
    // The browser tests' helper: the CLI's own entry with its output captured, throwing on a non-zero exit.
    const [, t] = await timeAsync(() => generateReport(dir, out));
    inProc.push(t);
  }
  const [assets, tAssets] = await timeAsync(() => loadPanelAssets());
  const [run, tRead] = time(() => readRun(dir, isProcessAlive));
  const [view, tView] = time(() => buildRunView(run));
  const [html, tRender] = time(() => renderReportHtml(view, assets.script, assets.css));
  const [, tWrite] = time(() => writeFileSync(out + '.tmp.html', html));
  rmSync(out + '.tmp.html');
  console.log(`(2) mmgrpo report → ${mb(statSync(out).size)} HTML with ${view.rollouts?.items.length} rollouts of step ${view.rollouts?.step}`);
  vsGoal('in-process, from source (tsx; includes esbuild bundle)', inProc);
  console.log(`      parts (1 run): bundle panel ${ms(tAssets)}, readRun ${ms(tRead)}, buildRunView ${ms(tView)}, renderReportHtml ${ms(tRender)}, write ${ms(tWrite)}`);
  const cli = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) {
    console.log('      built CLI: dist/cli.js missing (run `node scripts/build.mjs`), skipped');
    return;
  }
  const spawned: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, 'report', dir, '--out', out + '.cli.html'], { encoding: 'utf8' });
    spawned.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`node dist/cli.js report failed: ${r.stderr}`);
  }
  rmSync(out + '.cli.html');
  vsGoal('built CLI `node dist/cli.js report` (whole process)', spawned);
}

interface PageRun {
  contentAt: number;
  paintedAt: number;
  fcp: number;
  actions: Record<string, number>;
  dom: Record<string, { rows: number; elements: number }>;
}

async function act(page: Page, target: string, ready: string, value?: string): Promise<number> {
  const r = await page.evaluate<{ dom: number; painted: number }>(`window.__bench.act(${JSON.stringify(target)}, ${JSON.stringify(ready)}${value === undefined ? '' : `, ${JSON.stringify(value)}`})`);
  return r.painted;
}

const domCount = (page: Page) => page.evaluate<{ rows: number; elements: number }>(DOM_COUNT_SCRIPT);

async function waitPainted(page: Page): Promise<{ contentAt: number; paintedAt: number; fcp: number }> {
  await page.waitForFunction('window.__bench && window.__bench.paintedAt !== undefined', undefined, { timeout: 120_000 });
  return page.evaluate(`({ contentAt: window.__bench.contentAt, paintedAt: window.__bench.paintedAt, fcp: (performance.getEntriesByName('first-contentful-paint')[0] || { startTime: NaN }).startTime })`);
}

/** (3) One navigation to the report, then the interactions a user makes. */
async function reportPageRun(page: Page, file: string, rolloutStep: number, otherStep: number): Promise<PageRun> {
  await openFile(page, file);
  const first = await waitPainted(page);
  const actions: Record<string, number> = {};
  const dom: PageRun['dom'] = {};
  dom.overview = await domCount(page);
  actions['Groups tab (step with rollouts)'] = await act(page, 'tab:Groups', '.groups .vrow');
  dom.groups = await domCount(page);
  actions['switch step (select) → its groups'] = await act(page, 'main.content > div > .toolbar > select', '.groups .vrow', String(otherStep));
  actions['open a group (row click → members)'] = await act(page, '.groups .vlist .vrow', '.groups .detail table.members');
  await act(page, 'main.content > div > .toolbar > select', '.groups .vrow', String(rolloutStep));
  actions['Rollouts tab'] = await act(page, 'tab:Rollouts', '.rollouts .vrow');
  actions['open a rollout (row click → trajectory)'] = await act(page, '.rollouts .vlist .vrow', '.rollouts .detail .rollout-detail');
  dom.rollouts = await domCount(page);
  // Scrolled to the end, the list must still hold only a window of rows.
  await page.evaluate(`(() => { const l = document.querySelector('.rollouts .vlist'); l.scrollTop = l.scrollHeight; })()`);
  await page.evaluate('window.__bench.afterPaint()');
  dom.rolloutsScrolled = await domCount(page);
  return { ...first, actions, dom };
}

/** (3b) The editor path: the bare panel (no embedded data) receives the host's capped snapshot by postMessage. */
async function webviewPostRun(page: Page, shell: string, view: RunView): Promise<number> {
  await openFile(page, shell);
  await page.waitForSelector('#app .muted');
  return page.evaluate(
    `(async (view) => {
      const t0 = performance.now();
      window.postMessage({ type: 'snapshot', view }, '*');
      await new Promise((resolve) => { const tick = () => (document.querySelector('#app main.content > *') ? resolve() : setTimeout(tick, 0)); tick(); });
      await window.__bench.afterPaint();
      return performance.now() - t0;
    })(${JSON.stringify(view)})`,
  );
}

/** The report page without its data block: what the editor's webview holds before the first snapshot. */
function bareShell(reportFile: string, out: string): void {
  const html = readFileSync(reportFile, 'utf8');
  const start = html.indexOf('<script type="application/json"');
  const end = html.indexOf('</script>', start) + '</script>'.length;
  writeFileSync(out, html.slice(0, start) + html.slice(end));
}

async function measureBrowser(reportFile: string, shell: string, view: RunView, totalRollouts: number): Promise<void> {
  const session = await startChromium({ width: 1280, height: 900 });
  try {
    const { page } = session;
    await page.addInitScript(TIMING_INIT_SCRIPT);
    const reportData = JSON.parse(readFileSync(reportFile, 'utf8').match(/<script type="application\/json" id="mmgrpo-data">([\s\S]*?)<\/script>/)![1]) as { view: RunView };
    const rolloutStep = reportData.view.rollouts!.step;
    const stepRollouts = reportData.view.rollouts!.items.length;
    const otherStep = reportData.view.steps[0].step;
    const runs: PageRun[] = [];
    for (let i = 0; i < REPS; i++) runs.push(await reportPageRun(page, reportFile, rolloutStep, otherStep));
    console.log(`(3) chromium, report page (file://, ${stepRollouts} rollouts of step ${rolloutStep} embedded); ${REPS} navigations`);
    vsGoal('navigation → panel DOM complete (overview)', runs.map((r) => r.contentAt));
    vsGoal('navigation → first frame after it', runs.map((r) => r.paintedAt));
    plain('first-contentful-paint (paint timing)', runs.map((r) => r.fcp));
    for (const k of Object.keys(runs[0].actions)) vsGoal(`${k}, click → painted`, runs.map((r) => r.actions[k]));
    const posted: number[] = [];
    for (let i = 0; i < REPS; i++) posted.push(await webviewPostRun(page, shell, view));
    console.log(`(3b) chromium, editor path: bare panel + postMessage of the host snapshot (${view.rollouts?.items.length} rollouts)`);
    vsGoal('postMessage → panel painted', posted);
    const d = runs[runs.length - 1].dom;
    console.log('(4) virtualized lists: rows in the DOM vs data');
    console.log(`  overview: ${d.overview.elements} elements; groups view: ${d.groups.rows} group rows in DOM of ${reportData.view.steps.find((s) => s.step === rolloutStep)!.groups.length} groups, ${d.groups.elements} elements`);
    console.log(`  rollouts view: ${d.rollouts.rows} rows in DOM for ${stepRollouts} rollouts of the step (${totalRollouts} in the run), ${d.rollouts.elements} elements; scrolled to the end: ${d.rolloutsScrolled.rows} rows, ${d.rolloutsScrolled.elements} elements`);
    const ok = d.rollouts.rows <= 64 && d.rolloutsScrolled.rows <= 64;
    console.log(`  ${ok ? 'OK' : 'NOT OK'}: the rollout list keeps ≤ 64 rows in the DOM (${((d.rollouts.rows / stepRollouts) * 100).toFixed(2)}% of the step's rollouts)`);
    if (!ok) process.exitCode = 1;
  } finally {
    await session.close();
  }
}

async function scenario(name: string, work: string): Promise<void> {
  const { label, shape } = SCENARIOS[name];
  const dir = join(work, name);
  const [total, tWrite] = time(() => writeBigRun(dir, shape));
  console.log(`\n=== ${name}: ${label} = ${total.toLocaleString('en')} rollouts, 2 module calls each; events.jsonl ${mb(statSync(join(dir, 'events.jsonl')).size)} (written in ${ms(tWrite)})`);
  const { view } = await measureViewModel(dir);
  const reportFile = join(work, `${name}.html`);
  await measureReport(dir, reportFile);
  const shell = join(work, `${name}-shell.html`);
  bareShell(reportFile, shell);
  await measureBrowser(reportFile, shell, view, total);
}

async function run(): Promise<void> {
  const names = values.scenario === 'all' ? Object.keys(SCENARIOS) : [values.scenario as string];
  for (const n of names) if (!SCENARIOS[n]) throw new Error(`--scenario ${n}: expected all, ${Object.keys(SCENARIOS).join(', ')}`);
  const work = mkdtempSync(join(tmpdir(), 'panel-bench-'));
  console.log(`panel render benchmark: ${cpus().length} cpus, node ${process.version}, ${REPS} repetitions (medians; [all samples])`);
  try {
    for (const n of names) await scenario(n, work);
  } finally {
    if (values.keep) console.log(`\nkept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

run().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
