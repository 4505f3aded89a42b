import { formatScore } from '../protocol/scoreFormat';
import type { InstructionCandidatesView, PromptVersion } from '../protocol/webview';
import { instructionList } from './instructionList';
import { clear, h, pre, section } from './dom';
import { toJson } from './format';
import { option } from './rolloutPanel';
import { explainVersion } from './vocabulary';
import { lineStats, wordDiff, wordStats } from './wordDiff';

/** Opens the editor's own diff of one module's prompt between two versions (live panel only). */
export type OpenPromptDiff = (module: string, fromVersion: string, toVersion: string) => void;

/** Prompt versions per module, with a word diff between any two versions, and the instructions each p stage tried. */
export function promptPanel(prompts: Record<string, PromptVersion[]>, candidates: readonly InstructionCandidatesView[] = [], openDiff?: OpenPromptDiff): HTMLElement {
  const modules = Object.keys(prompts);
  if (modules.length === 0) return h('div', { cls: 'muted' }, 'This run recorded no program state.');
  return h('div', { cls: 'prompts' }, ...modules.map((m) => moduleVersions(m, prompts[m] ?? [], candidates.filter((c) => c.module === m), openDiff)));
}

function moduleVersions(module: string, versions: PromptVersion[], candidates: readonly InstructionCandidatesView[], openDiff: OpenPromptDiff | undefined): HTMLElement {
  const box = section(`${module} — ${versions.length} version${versions.length === 1 ? '' : 's'}`, true);
  if (versions.length > 0) for (const el of versionPicker(module, versions, openDiff)) box.appendChild(el);
  for (const c of candidates) box.appendChild(instructionList(c));
  return box;
}

/** The from/to selects (when there is a choice) and the view of the chosen pair; `versions` is not empty. */
function versionPicker(module: string, versions: PromptVersion[], openDiff: OpenPromptDiff | undefined): HTMLElement[] {
  const latest = versions[versions.length - 1];
  const label = (v: PromptVersion) => `${v.label}${v.score !== undefined ? ` (${formatScore(v.score)})` : ''}${v.parent ? ` ← ${v.parent}` : ''}`;
  const options = () =>
    versions.map((v) => {
      const o = option(v.id, label(v));
      o.title = explainVersion(v.label);
      return o;
    });
  const from = h('select', { title: 'older version' }, ...options());
  const to = h('select', { title: 'newer version' }, ...options());
  from.value = (versions.find((v) => v.id === latest.parent) ?? versions[0]).id;
  to.value = latest.id;
  const out = h('div', {});
  const refresh = () => {
    clear(out);
    const a = versions.find((v) => v.id === from.value) ?? versions[0];
    const b = versions.find((v) => v.id === to.value) ?? latest;
    out.appendChild(a.id === b.id ? single(b) : diffView(a, b));
  };
  from.addEventListener('change', refresh);
  to.addEventListener('change', refresh);
  refresh();
  if (versions.length < 2) return [out];
  const native = openDiff ? h('button', { cls: 'open-diff', title: "Open these two versions in the editor's diff view", onClick: () => openDiff(module, from.value, to.value) }, 'Open in diff editor') : null;
  return [h('div', { cls: 'toolbar' }, 'from ', from, ' to ', to, native), out];
}

function single(v: PromptVersion): HTMLElement {
  return h('div', {}, h('div', { cls: 'label' }, 'Instructions'), pre(v.instructions || '(empty)'), section(`Demos (${v.demos.length})`, false, pre(toJson(v.demos))));
}

function diffView(a: PromptVersion, b: PromptVersion): HTMLElement {
  const parts = wordDiff(a.instructions, b.instructions);
  const { added, removed } = wordStats(parts);
  const body = h('div', { cls: 'diff text' });
  for (const p of parts) {
    const span = h(p.kind === 'add' ? 'ins' : p.kind === 'del' ? 'del' : 'span', { cls: `diff-${p.kind}` });
    span.textContent = p.text;
    body.appendChild(span);
  }
  const demos = lineStats(toJson(a.demos), toJson(b.demos));
  return h(
    'div',
    {},
    h('div', { cls: 'muted' }, `Instructions: +${added} −${removed} words · demos: ${a.demos.length} → ${b.demos.length} (+${demos.added} −${demos.removed} lines)`),
    body,
    section('Demos (new version)', false, pre(toJson(b.demos))),
  );
}
