/// <reference lib="dom" />
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { HostToWebview } from '../../src/protocol/webview';
import { browserSkipped, chromiumPath, INSTALL_HINT, startChromium, type BrowserSession } from './lib/chromium';
import {
  CALL_ERROR, COMPLETION, DEMOS, EVIL_ROLE, EVIL_TEXT, MODULES, NEW_INSTRUCTIONS, PARSE_ERROR, PAYLOADS, ROLLOUT_ERROR, RUN_ID,
  START_INSTRUCTIONS, SUMMARY_KEY, TASK_NAME, TRAINER_KEY, writeEvilRun, EXAMPLES, ROLLOUTS_PER_EXAMPLE,
} from './lib/evilRun';
import { appText, assertContainsAll, assertInert, texts } from './lib/inert';
import { cspViolations, generateReport, instrument, openFile, screenshot, type PageProbe } from './lib/reportPage';

// The static HTML report in a real browser, fed a run whose every text field
// is hostile markup: nothing may run or become an element, everything must
// read back as literal text, and the page's CSP must be strict and enforced.

const json = (v: unknown) => JSON.stringify(v, null, 2);

describe('HTML report in chromium: hostile run data stays text', function () {
  let root: string;
  let session: BrowserSession;
  let page: Page;
  let probe: PageProbe;
  let reportFile: string;

  before(async function () {
    if (browserSkipped()) {
      console.log('      MMGRPO_SKIP_BROWSER=1: skipping the chromium report tests.');
      this.skip();
    }
    chromiumPath(); // fails (not skips) with the install command when chromium is missing
    root = mkdtempSync(join(tmpdir(), 'report-xss-'));
    writeEvilRun(join(root, RUN_ID));
    reportFile = join(root, 'report.html');
    await generateReport(join(root, RUN_ID), reportFile);
    session = await startChromium();
    page = session.page;
    probe = await instrument(page);
    await openFile(page, reportFile);
    await page.locator('#app header h1').waitFor();
  });

  after(async () => {
    await session?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const tab = (name: string) => page.getByRole('tab', { name, exact: true });

  /** Opens every collapsed section under `scope` the way a user would: by clicking its summary. */
  async function expandAll(scope: string): Promise<void> {
    const closed = page.locator(`${scope} details:not([open]) > summary`);
    for (let n = await closed.count(); n > 0; n = await closed.count()) await closed.first().click();
  }

  it('declares a strict CSP: default-src none, nonce-only scripts, no unsafe-*, no remote origins', async () => {
    const csp = await page.evaluate(() => {
      const meta = document.querySelector<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy"]');
      if (!meta) return undefined;
      const first = Array.from(document.querySelectorAll('script, style')).every((el) => meta.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
      const scriptNonces = Array.from(document.scripts).filter((s) => s.type !== 'application/json').map((s) => s.nonce);
      const styleNonces = Array.from(document.querySelectorAll('style')).map((s) => s.nonce);
      return { policy: meta.content, first, scriptNonces, styleNonces };
    });
    assert.ok(csp, 'the report has a <meta http-equiv="Content-Security-Policy">');
    assert.ok(csp.first, 'the CSP meta comes before every script and style (a later meta does not cover them)');
    const directives = new Map(csp.policy.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...tokens]) => [name, tokens] as const));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('base-uri'), ["'none'"]);
    const scriptSrc = directives.get('script-src') ?? [];
    assert.equal(scriptSrc.length, 1, `script-src is one nonce: ${scriptSrc.join(' ')}`);
    const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(scriptSrc[0])?.[1];
    assert.ok(nonce, `script-src must be a nonce of 16+ characters, got ${scriptSrc[0]}`);
    assert.doesNotMatch(csp.policy, /unsafe-|strict-dynamic|\*/);
    for (const [name, tokens] of directives) {
      for (const t of tokens) assert.match(t, /^('none'|'nonce-[A-Za-z0-9+/=]+'|data:)$/, `${name} allows ${t}: only 'none', the nonce and data: are expected (no remote origins)`);
    }
    assert.deepEqual(csp.scriptNonces, [nonce], 'the panel script carries the policy nonce');
    assert.ok(csp.styleNonces.every((n) => n === nonce));
  });

  it('overview: task name, module names, summary and trainer keys render as text', async () => {
    await assert.doesNotReject(tab('Overview').waitFor());
    const h1 = await page.locator('#app header h1').evaluate((el) => el.firstChild?.textContent);
    assert.equal(h1, `${TASK_NAME} `);
    assert.equal(await page.title(), `${TASK_NAME} · ${RUN_ID} · MMGRPO report`);
    assert.deepEqual(await texts(page, '.step-stats table.stats tbody td:first-child'), [...MODULES]);
    const keys = await texts(page, '#app .kv-key');
    assert.ok(keys.includes(SUMMARY_KEY) && keys.includes(TRAINER_KEY), `keys shown: ${keys.join(', ')}`);
    assertContainsAll(await appText(page), PAYLOADS, 'overview');
    await screenshot(page, 'overview');
    await assertInert(page, probe, 'overview');
  });

  it('groups of a step: module names and member completions render as text', async () => {
    await tab('Groups').click();
    const rows = page.locator('.groups .vlist .vrow');
    assert.equal(await rows.count(), EXAMPLES * MODULES.length);
    assert.deepEqual(new Set(await texts(page, '.groups .vrow .cell:first-child')), new Set(MODULES));
    assert.deepEqual(await texts(page, '.groups .toolbar select option'), ['all modules', ...MODULES]);
    await rows.nth(1).click();
    const completions = await texts(page, '.groups .detail table.members pre.completion');
    assert.deepEqual(completions, Array(ROLLOUTS_PER_EXAMPLE).fill(COMPLETION));
    assert.ok((await appText(page, '.groups .detail')).startsWith(`${MODULES[1]} · example 0`));
    // The module filter takes the hostile name as a plain value.
    await page.locator('.groups .toolbar select').selectOption(MODULES[0]);
    assert.deepEqual(new Set(await texts(page, '.groups .vrow .cell:first-child')), new Set([MODULES[0]]));
    await screenshot(page, 'groups');
    await assertInert(page, probe, 'groups');
  });

  it("a rollout's full trajectory: completions, outputs, messages, roles and errors render as text", async () => {
    await tab('Rollouts').click();
    const rows = page.locator('.rollouts .vlist .vrow');
    assert.equal(await rows.count(), EXAMPLES * ROLLOUTS_PER_EXAMPLE);
    assert.match(await rows.first().innerText(), /⚠ TypeError in metric: <img src=x onerror=window.__pwned=1>/);
    await rows.first().click();
    await expandAll('.rollouts .detail');
    const detail = '.rollouts .detail .rollout-detail';
    assert.deepEqual(await texts(page, `${detail} pre.completion`), [COMPLETION, COMPLETION]);
    assert.deepEqual(await texts(page, `${detail} pre.error-text`), [ROLLOUT_ERROR, CALL_ERROR]);
    const messages = await texts(page, `${detail} .message pre`);
    assert.deepEqual(messages, [START_INSTRUCTIONS, `Question: ${EVIL_TEXT}`, `Demo from ${EVIL_ROLE}: ${EVIL_TEXT}`, NEW_INSTRUCTIONS, `Question: ${EVIL_TEXT}`, `Demo from ${EVIL_ROLE}: ${EVIL_TEXT}`]);
    assert.deepEqual(await texts(page, `${detail} .message.role-other .role`), [EVIL_ROLE, EVIL_ROLE], 'an unknown role is shown as text and gets the neutral class');
    const pres = await texts(page, `${detail} pre`);
    for (const expected of [json({ question: EVIL_TEXT }), json({ answer: EVIL_TEXT }), json({ plan: EVIL_TEXT }), json({ temperature: 1, stop: PAYLOADS[1] })]) {
      assert.ok(pres.includes(expected), `not shown verbatim: ${expected}`);
    }
    const summaries = await texts(page, `${detail} summary`);
    assert.ok(summaries.some((s) => s.includes(`${MODULES[1]}[0]`) && s.includes(`model ${PAYLOADS[2]}`) && s.endsWith('· error')));
    assertContainsAll(await appText(page, detail), PAYLOADS, 'rollout detail');
    await screenshot(page, 'rollout-error');

    // The format-failure rollout shows the parse error message verbatim.
    await rows.nth(1).click();
    await expandAll('.rollouts .detail');
    const errors = await texts(page, `${detail} div.error`);
    assert.ok(errors.includes(`Parse failure: ${PARSE_ERROR} (parsed: ${PAYLOADS[4]}; missing: answer)`), errors.join('\n'));
    // The errors filter works on hostile data too.
    await page.locator('.rollouts .toolbar select').selectOption('errors');
    assert.equal(await rows.count(), 1);
    await screenshot(page, 'rollout-parse-failure');
    await assertInert(page, probe, 'rollouts');
  });

  it('prompt diff: instructions and demos render as text, in diff and single views', async () => {
    await tab('Prompts').click();
    const boxes = page.locator('.prompts > details');
    assert.equal(await boxes.count(), MODULES.length);
    assert.deepEqual(await texts(page, '.prompts > details > summary'), MODULES.map((m) => `${m} — 2 versions`));
    // Word diff: the old text is the kept and deleted parts, the new one the kept and inserted parts, both literally.
    const parts = await boxes.first().locator('.diff > *').evaluateAll((els) => els.map((e) => [e.className, e.textContent ?? '']));
    assert.equal(parts.filter(([c]) => c !== 'diff-add').map(([, t]) => t).join(''), START_INSTRUCTIONS);
    assert.equal(parts.filter(([c]) => c !== 'diff-del').map(([, t]) => t).join(''), NEW_INSTRUCTIONS);
    assert.ok(parts.some(([c]) => c === 'diff-add') && parts.some(([c]) => c === 'diff-same'), 'words are marked, not whole texts');
    await expandAll('.prompts');
    const newDemos = [...DEMOS, { question: PAYLOADS[4], answer: PAYLOADS[5] }];
    assert.ok((await texts(page, '.prompts pre')).includes(json(newDemos)));
    await screenshot(page, 'prompt-diff');
    // Same version on both sides: the single view with the full instructions.
    const first = boxes.first();
    await first.locator('.toolbar select').nth(1).selectOption('start');
    await expandAll('.prompts');
    const pres = await first.locator('pre').evaluateAll((els) => els.map((e) => e.textContent));
    assert.deepEqual(pres, [START_INSTRUCTIONS, json(DEMOS)]);
    await screenshot(page, 'prompt-single');
    await assertInert(page, probe, 'prompts');
  });

  it('compare (the host’s compare message): both sides render as text', async () => {
    // The report never compares on its own; post what the extension host posts for "Compare with…".
    await page.evaluate((suffix) => {
      const data = JSON.parse(document.getElementById('mmgrpo-data')!.textContent!) as { view: import('../../src/protocol/webview').RunView };
      const right = { ...data.view, manifest: { ...data.view.manifest, id: `${data.view.manifest.id} ${suffix}` } };
      const msg: HostToWebview = { type: 'compare', left: data.view, right };
      window.postMessage(msg, '*');
    }, PAYLOADS[4]);
    await tab('Compare').click();
    const head = await texts(page, '.compare table.stats th');
    assert.ok(head.some((t) => t.includes(TASK_NAME)), head.join(' | '));
    assert.ok((await appText(page, '.compare table.stats')).includes(`${RUN_ID} ${PAYLOADS[4]}`));
    await page.locator('.compare .vlist .vrow').first().click();
    await expandAll('.compare .detail');
    const completions = await texts(page, '.compare .side-by-side pre.completion');
    assert.equal(completions.length, 2 * ROLLOUTS_PER_EXAMPLE * MODULES.length);
    assert.ok(completions.every((c) => c === COMPLETION));
    assertContainsAll(await appText(page, '.compare'), PAYLOADS, 'compare');
    await screenshot(page, 'compare');
    await assertInert(page, probe, 'compare');
  });

  it('enforces the CSP: an injected script or inline handler without the nonce does not run', async () => {
    const before = (await cspViolations(page)).length;
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__pwned = "inline"';
      document.body.appendChild(s);
      const remote = document.createElement('script');
      remote.src = 'https://attacker.invalid/x.js';
      document.body.appendChild(remote);
      document.body.insertAdjacentHTML('beforeend', '<img id="inj" src="data:," onerror="window.__pwned = \'handler\'">');
    });
    // Violations are reported asynchronously; the image error comes after decoding.
    await page.waitForFunction((n) => (window as unknown as { __cspViolations: unknown[] }).__cspViolations.length >= n + 3, before, { timeout: 5000 });
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    const directives = (await cspViolations(page)).slice(before).map((v) => v.directive).sort();
    assert.deepEqual(directives, ['script-src-attr', 'script-src-elem', 'script-src-elem']);
    assert.deepEqual(probe.pageErrors, []);
  });
});

describe('chromium for browser tests', () => {
  it('fails with the install command when chromium is missing (never skips silently)', () => {
    assert.throws(() => chromiumPath('/nonexistent/chromium'), (e: Error) => e.message.includes(`\`${INSTALL_HINT}\``) && e.message.includes('/nonexistent/chromium') && e.message.includes('MMGRPO_SKIP_BROWSER=1'));
    assert.equal(chromiumPath(__filename), __filename);
  });
});
