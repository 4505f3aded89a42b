// What the host needs to reopen a run panel after a restart, kept free of
// `vscode` so it is unit tested: the panel's view type (package.json's
// onWebviewPanel activation event names it too) and the run ids the page saved.

export const RUN_PANEL_VIEW_TYPE = 'mmgrpo.run';

/** Run ids the page saved with setState (src/webview/panelState.ts `runs`); stored data, so checked. */
export function runIdsOf(state: unknown): string[] {
  const runs = state !== null && typeof state === 'object' ? (state as { runs?: unknown }).runs : undefined;
  if (!Array.isArray(runs) || runs.length < 1 || runs.length > 2) return [];
  return runs.every((r) => typeof r === 'string' && /^[\w.-]{1,200}$/.test(r)) ? (runs as string[]) : [];
}
