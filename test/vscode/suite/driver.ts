// The suite runs inside the extension host; what it cannot see through the
// VS Code API (pixels, the DOM of lenses and webviews, real clicks) it asks of
// the launcher that drives the browser, over loopback HTTP. Under
// @vscode/test-electron there is no such launcher: `driver()` is undefined and
// the scenarios fall back to the API (commands instead of clicks).

export interface Driver {
  /** Saves a screenshot of the whole workbench as artifacts/screenshots/e2e-<name>.png. */
  screenshot(name: string): Promise<string>;
  /** Texts of the code lenses rendered in the visible editors. */
  lensTexts(): Promise<string[]>;
  /** Clicks the rendered code lens with exactly this text. */
  clickLens(text: string): Promise<void>;
  /** innerText of the first element matching a CSS selector in the workbench ('' when absent). */
  text(selector: string): Promise<string>;
  /** innerText of the active webview's document. */
  webviewText(): Promise<string>;
  /** Right-clicks the row of a tree view (CSS selector of the view) containing `item` and picks `menu` from its context menu. */
  treeContextMenu(view: string, item: string, menu: string): Promise<void>;
  /** Clicks the element of the active webview matching selector whose text contains `text` (the nth such, default the first). */
  webviewClick(selector: string, text: string, nth?: number): Promise<void>;
}

async function call<T>(base: string, action: string, body: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${base}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const out = (await res.json()) as { ok: boolean; value?: T; error?: string };
  if (!out.ok) throw new Error(`UI driver ${action}(${JSON.stringify(body)}) failed: ${out.error}`);
  return out.value as T;
}

export function driver(): Driver | undefined {
  const base = process.env.MMGRPO_E2E_DRIVER;
  if (!base) return undefined;
  return {
    screenshot: (name) => call(base, 'screenshot', { name }),
    lensTexts: () => call(base, 'lensTexts'),
    clickLens: (text) => call(base, 'clickLens', { text }),
    text: (selector) => call(base, 'text', { selector }),
    webviewText: () => call(base, 'webviewText'),
    webviewClick: (selector, text, nth) => call(base, 'webviewClick', { selector, text, nth }),
    treeContextMenu: (view, item, menu) => call(base, 'treeContextMenu', { view, item, menu }),
  };
}

/** Screenshot when a browser is driving; a no-op under test-electron. */
export async function shot(name: string): Promise<void> {
  await driver()?.screenshot(name);
}
