import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

// Debian's chromium driven by playwright-core. A persistent context is the
// only launch mode that accepts Debian's wrapper (plain launch() passes its
// own user-data-dir), so every session gets a fresh throwaway profile.

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const INSTALL_HINT = 'apt-get install -y chromium';

/** The chromium to drive: $MMGRPO_CHROMIUM, else Debian's. Throws with the install command when absent. */
export function chromiumPath(candidate = process.env.MMGRPO_CHROMIUM || DEFAULT_CHROMIUM): string {
  if (existsSync(candidate)) return candidate;
  throw new Error(
    `Browser tests need chromium, but ${candidate} does not exist. Install it with \`${INSTALL_HINT}\` ` +
      '(or point MMGRPO_CHROMIUM at a chromium binary; set MMGRPO_SKIP_BROWSER=1 to skip these tests).',
  );
}

/** True when the user asked to skip browser tests (MMGRPO_SKIP_BROWSER=1). */
export function browserSkipped(): boolean {
  return process.env.MMGRPO_SKIP_BROWSER === '1';
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Starts headless chromium with a fresh profile; close() also deletes the profile. */
export async function startChromium(viewport = { width: 1280, height: 900 }): Promise<BrowserSession> {
  const executablePath = chromiumPath();
  const profile = mkdtempSync(join(tmpdir(), 'mmgrpo-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // Chromium writes crash dumps and config under HOME: keep them in the throwaway profile.
    env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: profile } as Record<string, string>,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
