// What the panel remembers across hide/show and editor restarts (the webview
// state API): the tab, the step, the selected rows, and which runs it shows
// (the host's serializer reopens those). Read back defensively: it is stored data.

export const TABS = ['overview', 'step', 'rollouts', 'prompts', 'compare'] as const;
export type Tab = (typeof TABS)[number];

export interface PanelState {
  tab?: Tab;
  step?: number;
  /** Key of the selected rollout (rolloutKey). */
  rollout?: string;
  /** Key of the selected group (groupKey). */
  group?: string;
  /** Run ids shown: one, or two in compare mode. */
  runs?: string[];
}

const isStr = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length < 500;

/** The valid parts of a stored state; anything else is dropped. */
export function parsePanelState(x: unknown): PanelState {
  if (x === null || typeof x !== 'object') return {};
  const o = x as Record<string, unknown>;
  const s: PanelState = {};
  if ((TABS as readonly unknown[]).includes(o.tab)) s.tab = o.tab as Tab;
  if (typeof o.step === 'number' && Number.isInteger(o.step) && o.step >= 0) s.step = o.step;
  if (isStr(o.rollout)) s.rollout = o.rollout;
  if (isStr(o.group)) s.group = o.group;
  if (Array.isArray(o.runs) && o.runs.length >= 1 && o.runs.length <= 2 && o.runs.every(isStr)) s.runs = [...o.runs];
  return s;
}
