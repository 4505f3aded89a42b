/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { main } from '../../../src/cli/main';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'artifacts', 'screenshots');

/** Runs `mmgrpo report <runDir> --out <out> ...` through the CLI's own entry (from source: no build needed). */
export async function generateReport(runDir: string, out: string, extra: string[] = []): Promise<void> {
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  let printed = '';
  const capture = ((s: string | Uint8Array) => ((printed += String(s)), true)) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  let code: number;
  try {
    code = await main(['report', runDir, '--out', out, ...extra]);
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  if (code !== 0) throw new Error(`mmgrpo report ${runDir} exited with ${code}: ${printed.trim()}`);
}

export interface PageProbe {
  pageErrors: string[];
  consoleErrors: string[];
}

interface ViolationRecord {
  directive: string;
  blockedURI: string;
  sample: string;
}

/**
 * Hooks installed before any page script: CSP violation events are recorded
 * in window.__cspViolations (init scripts run outside the page's CSP).
 */
export async function instrument(page: Page): Promise<PageProbe> {
  const probe: PageProbe = { pageErrors: [], consoleErrors: [] };
  page.on('pageerror', (e) => probe.pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') probe.consoleErrors.push(m.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: ViolationRecord[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__cspViolations.push({ directive: e.violatedDirective, blockedURI: e.blockedURI, sample: e.sample }));
  });
  return probe;
}

export async function openFile(page: Page, file: string): Promise<void> {
  await page.goto(pathToFileURL(file).href);
}

export async function cspViolations(page: Page): Promise<ViolationRecord[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: ViolationRecord[] }).__cspViolations);
}

/** Saves a full-page screenshot as artifacts/screenshots/report-<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `report-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
