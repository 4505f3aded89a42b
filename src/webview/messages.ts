import type { HostToWebview, RunView, WebviewToHost } from '../protocol/webview';

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** One instruction-candidates list of a snapshot, checked as far as rendering relies on it. */
function isCandidates(c: unknown): boolean {
  return isObject(c) && typeof c.stage === 'string' && typeof c.module === 'string' && typeof c.proposer === 'string' && Array.isArray(c.items) && c.items.every((i) => isObject(i) && typeof i.text === 'string' && typeof i.index === 'number');
}

/**
 * Minimal shape check of a snapshot: enough that rendering cannot throw on a
 * missing collection. Field contents are still treated as untrusted text.
 */
export function isRunView(x: unknown): x is RunView {
  if (!isObject(x)) return false;
  const m = x.manifest;
  if (!isObject(m) || typeof m.id !== 'string' || typeof m.kind !== 'string') return false;
  if (!isObject(x.summary) || !isObject(x.prompts)) return false;
  if (![x.val, x.reward, x.modules, x.steps].every(Array.isArray)) return false;
  if (typeof x.revision !== 'number' || typeof x.status !== 'string') return false;
  if (x.instructionCandidates !== undefined && !(Array.isArray(x.instructionCandidates) && x.instructionCandidates.every(isCandidates))) return false;
  const r = x.rollouts;
  return r === null || (isObject(r) && typeof r.step === 'number' && Array.isArray(r.items));
}

/** Type guard for messages from the host (or the report's embedded data): anything else is dropped. */
export function isHostMessage(value: unknown): value is HostToWebview {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'snapshot':
      return isRunView(value.view);
    case 'compare':
      return isRunView(value.left) && isRunView(value.right);
    case 'error':
      return typeof value.message === 'string';
    default:
      return false;
  }
}

export interface HostLink {
  post(message: WebviewToHost): void;
  /** False in the static report: there is no host to load other steps from. */
  live: boolean;
  /** The webview state API (VS Code keeps it while the panel is hidden and across restarts); absent in the report. */
  getState?(): unknown;
  setState?(state: unknown): void;
}
