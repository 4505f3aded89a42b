import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isProcessAlive, readRun } from '../../engine/runs';
import { buildRunView, MAX_ROLLOUTS } from '../../engine/runs/runView';
import type { HostToWebview, RunView } from '../../protocol/webview';
import { intOption, parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { runDirOf, runsDirOption } from '../runLookup';

export const REPORT_HELP = `Usage: mmgrpo report <run-id|run-dir> [options]

Writes one self-contained HTML file (curves, reward groups, rollouts, prompts)
that opens in any browser without network access.

Options (defaults in brackets):
  --out <file>           where to write [<run dir>/report.html]
  --runs-dir <dir>       where runs are stored [.mmgrpo/runs]
  --step <n>             whose rollouts to include [the last step]
  --max-rollouts <n>     keep at most n rollouts of that step, 0 = all [2000,
                         as the editor's panel; a bigger report opens slowly]
  -h, --help             this text`;

/** Id of the JSON data block; the webview's main.ts looks for the same id. */
const DATA_ID = 'mmgrpo-data';

export async function reportCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('report', argv, {
    out: { type: 'string' },
    'runs-dir': { type: 'string' },
    step: { type: 'string' },
    'max-rollouts': { type: 'string' },
  });
  if (v.help) {
    process.stdout.write(REPORT_HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('mmgrpo report: give one run id or run folder, e.g. `mmgrpo report 20261130-101502-banking77-3fa9` (see `mmgrpo runs list`).');
  const dir = runDirOf(positionals[0], runsDirOption(v), 'report');
  const run = readRun(dir, isProcessAlive);
  const step = v.step === undefined ? undefined : intOption('report', 'step', v.step, 0);
  const cap = intOption('report', 'max-rollouts', v['max-rollouts'], MAX_ROLLOUTS);
  const maxRollouts = cap === 0 ? undefined : cap;
  const view = buildRunView(run, { step, maxRollouts });
  if (step !== undefined && view.rollouts === null && !view.steps.some((s) => s.step === step)) {
    const known = view.steps.map((s) => s.step).join(', ') || 'none';
    throw new UsageError(`mmgrpo report: run ${run.id} has no finished step ${step} (finished steps: ${known}).`);
  }
  const { script, css } = await loadPanelAssets();
  const out = resolve((v.out as string | undefined) ?? join(dir, 'report.html'));
  writeFileSync(out, renderReportHtml(view, script, css), { mode: 0o640 });
  process.stdout.write(out + '\n');
  return EXIT.ok;
}

/**
 * JSON that is safe inside a `<script>` element: `<`, `>` and `&` become
 * \u escapes (so `</script>` or `<!--` in model output cannot end the block),
 * as do U+2028/2029 (line terminators in older JS parsers). JSON.parse reads
 * the escapes back to the same characters.
 */
export function escapeJsonForHtml(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Our own script/CSS inlined: only a closing tag could break the element, so neutralize those. */
function inlineSafe(code: string, tag: 'script' | 'style'): string {
  return code.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** The whole report page: strict CSP, nonce'd inline script and style, data as an inert JSON block. */
export function renderReportHtml(view: RunView, scriptText: string, cssText: string, nonce = randomBytes(18).toString('base64')): string {
  const message: HostToWebview = { type: 'snapshot', view };
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const title = escapeHtml(`${view.manifest.taskName} · ${view.manifest.id} · MMGRPO report`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style nonce="${nonce}">
${inlineSafe(cssText, 'style')}
</style>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="${DATA_ID}">${escapeJsonForHtml(JSON.stringify(message))}</script>
<script nonce="${nonce}">
${inlineSafe(scriptText, 'script')}
</script>
</body>
</html>
`;
}

export interface PanelAssets {
  script: string;
  css: string;
}

/**
 * The panel's browser bundle and stylesheet. From source (tsx) the bundle is
 * built now, so it is never stale; an installed CLI uses dist/webview.js.
 */
export async function loadPanelAssets(): Promise<PanelAssets> {
  const fromSource = __filename.endsWith('.ts');
  const prebuilt = [join(__dirname, 'webview.js'), join(__dirname, '..', '..', '..', 'dist', 'webview.js')].find(existsSync);
  const entry = [join(__dirname, '..', '..', 'webview', 'main.ts'), join(__dirname, '..', 'src', 'webview', 'main.ts')].find(existsSync);
  const cssFile = [join(__dirname, '..', '..', '..', 'media', 'panel.css'), join(__dirname, '..', 'media', 'panel.css')].find(existsSync);
  if (!cssFile) throw new Error('media/panel.css was not found next to the CLI; reinstall mmgrpo or run from the repository.');
  const css = readFileSync(cssFile, 'utf8');
  if (prebuilt && !(fromSource && entry)) return { script: readFileSync(prebuilt, 'utf8'), css };
  if (!entry) throw new Error('The panel bundle (dist/webview.js) is missing and src/webview/main.ts is not available to build it; run `npm run build`.');
  return { script: await bundleWebview(entry), css };
}

/** Bundles the panel for the browser (IIFE: no module loader, one inline script). */
export async function bundleWebview(entry: string): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({ entryPoints: [entry], bundle: true, format: 'iife', platform: 'browser', target: 'es2020', write: false, minify: true, logLevel: 'silent' });
  if (result.errors.length) throw new Error(`Building the panel bundle failed: ${result.errors.map((e) => e.text).join('; ')}`);
  return result.outputFiles[0].text;
}
