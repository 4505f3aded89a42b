/// <reference lib="dom" />
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { cspViolations, type PageProbe } from './reportPage';

/** What a payload would leave behind if it ever became markup or code. */
export interface InertState {
  /** window.__pwned: set by every payload if it ran. */
  pwned: unknown;
  /** Elements a payload could create: img, iframe, object, embed, a, form, base, meta refresh... */
  foreignElements: string[];
  /** SVG roots that are not the panel's own charts. */
  foreignSvgs: number;
  /** Elements carrying an inline event handler attribute (on*). */
  handlerAttributes: string[];
  /** Elements with a javascript: URL in any attribute. */
  javascriptUrls: string[];
  /** <script> elements: the data block and the panel's nonce'd script only. */
  scripts: number;
}

export const CLEAN: InertState = { pwned: undefined, foreignElements: [], foreignSvgs: 0, handlerAttributes: [], javascriptUrls: [], scripts: 2 };

// Plain JavaScript, not a TS callback: tsx would wrap helper functions in a
// __name() call that does not exist in the page.
const INERT_PROBE = `(() => {
  const tags = (els) => els.map((el) => '<' + el.tagName.toLowerCase() + [...el.attributes].map((a) => ' ' + a.name + '="' + a.value + '"').join('') + '>');
  const all = [...document.querySelectorAll('*')];
  return {
    pwned: window.__pwned,
    foreignElements: tags([...document.querySelectorAll('img, iframe, frame, object, embed, a, form, base, link, video, audio, math, template, #app style, #app meta')]),
    foreignSvgs: document.querySelectorAll('svg:not(.chart-svg)').length,
    handlerAttributes: tags(all.filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name)))),
    javascriptUrls: tags(all.filter((el) => [...el.attributes].some((a) => /^\\s*javascript:/i.test(a.value)))),
    scripts: document.scripts.length,
  };
})()`;

export async function inertState(page: Page): Promise<InertState> {
  return page.evaluate<InertState>(INERT_PROBE);
}

/** Asserts no payload ran or became an element, and the page raised no error or CSP violation so far. */
export async function assertInert(page: Page, probe: PageProbe, where: string): Promise<void> {
  assert.deepEqual(await inertState(page), CLEAN, `${where}: a payload became markup or ran`);
  assert.deepEqual(await cspViolations(page), [], `${where}: the panel itself violated its CSP`);
  assert.deepEqual(probe.pageErrors, [], `${where}: page errors`);
  assert.deepEqual(probe.consoleErrors, [], `${where}: console errors`);
}

/** The rendered panel's text (not the page's: the JSON data block holds the payloads too). */
export async function appText(page: Page, selector = '#app'): Promise<string> {
  return page.locator(selector).evaluate((el) => el.textContent ?? '');
}

/** textContent of every element matching `selector`, in document order. */
export async function texts(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((els) => els.map((e) => e.textContent ?? ''));
}

/** Asserts each string occurs literally in `text`. */
export function assertContainsAll(text: string, needles: readonly string[], where: string): void {
  for (const n of needles) assert.ok(text.includes(n), `${where}: ${JSON.stringify(n)} is not shown literally`);
}
