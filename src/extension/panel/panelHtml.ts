import { randomBytes } from 'node:crypto';

// The run panel's HTML shell. The policy allows only our nonce'd bundle and
// stylesheet from the extension's own folders: no inline code, no remote loads.

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export interface PanelHtmlInput {
  /** The webview's `cspSource` (its resource origin). */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function panelHtml(i: PanelHtmlInput): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(i.cspSource, i.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(i.styleUri)}" nonce="${i.nonce}">
<title>${escapeHtml(i.title)}</title>
</head>
<body>
<div id="root"></div>
<script nonce="${i.nonce}" src="${escapeHtml(i.scriptUri)}"></script>
</body>
</html>`;
}
