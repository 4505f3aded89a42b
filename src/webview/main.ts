/// <reference lib="dom" />
import type { WebviewToHost } from '../protocol/webview';
import { App } from './app';
import type { HostLink } from './messages';
import { isHostMessage } from './messages';

/** Id of the `<script type="application/json">` block that holds the static report's data. */
export const EMBEDDED_DATA_ID = 'mmgrpo-data';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

function vscodeApi(): VsCodeApi | undefined {
  const acquire = (globalThis as { acquireVsCodeApi?: () => VsCodeApi }).acquireVsCodeApi;
  return typeof acquire === 'function' ? acquire() : undefined;
}

/** Data embedded by `mmgrpo report`, if this page is a static report. */
function embedded(): unknown {
  const el = document.getElementById(EMBEDDED_DATA_ID);
  if (!el || !el.textContent) return undefined;
  try {
    return JSON.parse(el.textContent);
  } catch {
    return { type: 'error', message: 'The report data is damaged (not valid JSON). Regenerate it with `mmgrpo report`.' };
  }
}

function start(): void {
  // The report uses #app, the extension's panel shell #root.
  const root = document.getElementById('app') ?? document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
  const api = vscodeApi();
  const host: HostLink = api
    ? { live: true, post: (m: WebviewToHost) => api.postMessage(m), getState: () => api.getState(), setState: (s) => api.setState(s) }
    : { live: false, post: () => undefined };
  const app = new App(root, host);
  const accept = (data: unknown) => {
    if (isHostMessage(data)) app.handle(data);
    else if (data !== undefined) console.warn('mmgrpo panel: dropped a message of unexpected shape');
  };
  // In VS Code the host's messages arrive through the webview frame. A static
  // report has no host: accept only this page's own messages, so another
  // window holding a reference to the report cannot swap what it shows.
  window.addEventListener('message', (ev: MessageEvent) => {
    if (host.live || ev.source === window) accept(ev.data);
  });
  app.render();
  const data = embedded();
  if (data !== undefined) accept(data);
  // Ready only after the listener exists, so the host's first snapshot is never lost.
  host.post({ type: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
