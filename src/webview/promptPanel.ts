import type { InstructionCandidatesView, PromptVersion } from '../protocol/webview';
import { instructionList } from './instructionList';
import { clear, h, pre, section } from './dom';
import { fmtPct, toJson } from './format';
import { diffStats, lineDiff } from './lineDiff';
import { option } from './rolloutPanel';

/** Prompt versions per module, with a line diff between any two versions, and the instructions each p stage tried. */
export function promptPanel(prompts: Record<string, PromptVersion[]>, candidates: readonly InstructionCandidatesView[] = []): HTMLElement {
  const modules = Object.keys(prompts);
  if (modules.length === 0) return h('div', { cls: 'muted' }, 'This run recorded no program state.');
  return h('div', { cls: 'prompts' }, ...modules.map((m) => moduleVersions(m, prompts[m] ?? [], candidates.filter((c) => c.module === m))));
}

function moduleVersions(module: string, versions: PromptVersion[], candidates: readonly InstructionCandidatesView[]): HTMLElement {
  const box = section(`${module} — ${versions.length} version${versions.length === 1 ? '' : 's'}`, true);
  if (versions.length > 0) for (const el of versionPicker(versions)) box.appendChild(el);
  for (const c of candidates) box.appendChild(instructionList(c));
  return box;
}

/** The from/to selects (when there is a choice) and the view of the chosen pair; `versions` is not empty. */
function versionPicker(versions: PromptVersion[]): HTMLElement[] {
  const latest = versions[versions.length - 1];
  const label = (v: PromptVersion) => `${v.label}${v.score !== undefined ? ` (${fmtPct(v.score)})` : ''}${v.parent ? ` ← ${v.parent}` : ''}`;
  const from = h('select', {}, ...versions.map((v) => option(v.id, label(v))));
  const to = h('select', {}, ...versions.map((v) => option(v.id, label(v))));
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
  return versions.length > 1 ? [h('div', { cls: 'toolbar' }, 'from ', from, ' to ', to), out] : [out];
}

function single(v: PromptVersion): HTMLElement {
  return h('div', {}, h('div', { cls: 'label' }, 'Instructions'), pre(v.instructions || '(empty)'), section(`Demos (${v.demos.length})`, false, pre(toJson(v.demos))));
}

function diffView(a: PromptVersion, b: PromptVersion): HTMLElement {
  const lines = lineDiff(a.instructions, b.instructions);
  const { added, removed } = diffStats(lines);
  const body = h('div', { cls: 'diff' });
  for (const l of lines) {
    const mark = l.kind === 'add' ? '+' : l.kind === 'del' ? '-' : ' ';
    const row = h('div', { cls: `diff-line diff-${l.kind}` }, h('span', { cls: 'diff-mark' }, mark));
    const text = h('span', { cls: 'diff-text' });
    text.textContent = l.text;
    row.appendChild(text);
    body.appendChild(row);
  }
  const demos = lineDiff(toJson(a.demos), toJson(b.demos));
  const demoStats = diffStats(demos);
  return h(
    'div',
    {},
    h('div', { cls: 'muted' }, `Instructions: +${added} −${removed} lines · demos: ${a.demos.length} → ${b.demos.length} (+${demoStats.added} −${demoStats.removed} lines)`),
    body,
    section('Demos (new version)', false, pre(toJson(b.demos))),
  );
}
