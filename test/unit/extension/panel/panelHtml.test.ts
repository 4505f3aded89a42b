import { strict as assert } from 'node:assert';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../../../src/extension/panel/panelHtml';
import { isWebviewMessage } from '../../../../src/protocol/webview';

describe('run panel host', () => {
  it('loads only the nonce-tagged bundle under a strict CSP', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
    assert.notEqual(makeNonce(), nonce);
    const html = panelHtml({ cspSource: 'vscode-webview://abc', nonce, scriptUri: 'vscode-webview://abc/dist/webview.js', styleUri: 'vscode-webview://abc/media/panel.css', title: 'Run <x>' });
    const csp = contentSecurityPolicy('vscode-webview://abc', nonce);
    assert.ok(csp.startsWith("default-src 'none'"));
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
    assert.ok(html.includes(`<script nonce="${nonce}" src="vscode-webview://abc/dist/webview.js"></script>`));
    assert.ok(html.includes('href="vscode-webview://abc/media/panel.css"'));
    assert.ok(html.includes('Run &#60;x&#62;'), 'the title is escaped');
    // Exactly one script element, and it carries the nonce.
    assert.equal(html.match(/<script/g)?.length, 1);
  });

  it('accepts only well-formed webview messages', () => {
    const good = [{ type: 'ready' }, { type: 'selectStep', step: 3 }, { type: 'openPromptDiff', module: 'a', fromVersion: 'v0', toVersion: 'v1' }, { type: 'openRollout', step: 0, exampleIndex: 1, rolloutIndex: 2 }];
    for (const m of good) assert.equal(isWebviewMessage(m), true, JSON.stringify(m));
    const bad = [null, 'ready', { type: 'ready', extra: 1 }, { type: 'selectStep', step: -1 }, { type: 'selectStep', step: 1.5 }, { type: 'openPromptDiff', module: '', fromVersion: 'a', toVersion: 'b' }, { type: 'openRollout', step: 0, exampleIndex: 1 }, { type: 'runCommand', command: 'rm -rf' }];
    for (const m of bad) assert.equal(isWebviewMessage(m), false, JSON.stringify(m));
  });
});
