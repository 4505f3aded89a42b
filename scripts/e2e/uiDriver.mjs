// The launcher's side of the UI driver (see test/vscode/suite/driver.ts): a
// loopback HTTP endpoint through which the suite, running inside the extension
// host, asks for screenshots, rendered lens texts, real clicks and webview text.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const LENS = '.monaco-editor .codelens-decoration a';
const exact = (text) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);

function webview(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

function actions(getPage, shotsDir, prefix) {
  return {
    screenshot: async ({ name }) => {
      mkdirSync(shotsDir, { recursive: true });
      const file = join(shotsDir, `${prefix}${String(name).replace(/[^\w.-]+/g, '_')}.png`);
      await getPage().screenshot({ path: file });
      return file;
    },
    lensTexts: async () => getPage().$$eval(LENS, (els) => els.map((e) => (e.textContent ?? '').trim()).filter(Boolean)),
    clickLens: async ({ text }) => {
      await getPage().locator(LENS).filter({ hasText: exact(text) }).first().click({ timeout: 15_000 });
      return true;
    },
    text: async ({ selector }) => getPage().locator(selector).first().innerText({ timeout: 3_000 }).catch(() => ''),
    webviewText: async () => webview(getPage()).locator('body').innerText({ timeout: 5_000 }),
    // Right-clicks the row of a tree view whose text contains `item`, then picks `menu` from its context menu
    // (VS Code's web menus live in a shadow root; Playwright's CSS locators pierce it).
    treeContextMenu: async ({ view, item, menu }) => {
      const row = getPage().locator(`${view} .monaco-list-row`).filter({ hasText: item }).first();
      await row.click({ button: 'right', timeout: 15_000 });
      // Hover focuses the item; Enter runs it (the menu ignored a synthetic click's mouseup right after opening).
      await getPage().locator('.monaco-menu .action-item .action-label').filter({ hasText: exact(menu) }).first().hover({ timeout: 15_000 });
      await getPage().keyboard.press('Enter');
      return true;
    },
    webviewClick: async ({ selector, text, nth = 0 }) => {
      await webview(getPage()).locator(selector).filter({ hasText: text }).nth(nth).click({ timeout: 15_000 });
      return true;
    },
  };
}

/** Starts the driver on 127.0.0.1; its URL holds a random token so nothing else on the machine can drive the browser. */
export function startUiDriver(getPage, shotsDir, prefix = 'e2e-') {
  const token = randomBytes(16).toString('hex');
  const table = actions(getPage, shotsDir, prefix);
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const [, tok, action] = (req.url ?? '').split('/');
      res.setHeader('content-type', 'application/json');
      if (tok !== token || !table[action]) {
        res.statusCode = 404;
        res.end(JSON.stringify({ ok: false, error: 'unknown action or token' }));
        return;
      }
      try {
        res.end(JSON.stringify({ ok: true, value: await table[action](JSON.parse(body || '{}')) }));
      } catch (err) {
        res.end(JSON.stringify({ ok: false, error: err.message.split('\n')[0] }));
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/${token}`, close: () => new Promise((r) => server.close(() => r())) }));
  });
}
