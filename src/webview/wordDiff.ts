import { diffLines, diffWordsWithSpace } from 'diff';

/** A run of text that both versions share, or that only the old (del) or new (add) one has. */
export interface DiffPart {
  kind: 'same' | 'del' | 'add';
  text: string;
}

/** Beyond this the diff gives up and shows the old text replaced by the new (a huge prompt must not freeze the panel). */
const TIMEOUT_MS = 300;

/**
 * Word-level diff: instructions are often one long line, where a line diff
 * would mark the whole prompt as changed for one edited word. Whitespace runs
 * are tokens too (diffWordsWithSpace, not diffWords), so each side reads back
 * exactly: a prompt's line breaks matter to the model.
 */
export function wordDiff(oldText: string, newText: string): DiffPart[] {
  const changes = diffWordsWithSpace(oldText, newText, { timeout: TIMEOUT_MS });
  if (!changes) return [{ kind: 'del', text: oldText }, { kind: 'add', text: newText }].filter((p) => p.text !== '') as DiffPart[];
  return changes.map((c) => ({ kind: c.added ? 'add' : c.removed ? 'del' : 'same', text: c.value }));
}

/** Words added and removed, for a one-line summary. */
export function wordStats(parts: readonly DiffPart[]): { added: number; removed: number } {
  const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
  let added = 0;
  let removed = 0;
  for (const p of parts) {
    if (p.kind === 'add') added += words(p.text);
    else if (p.kind === 'del') removed += words(p.text);
  }
  return { added, removed };
}

/** Lines added and removed between two texts (the demos' JSON). */
export function lineStats(oldText: string, newText: string): { added: number; removed: number } {
  const changes = diffLines(oldText, newText, { timeout: TIMEOUT_MS });
  if (!changes) return { added: newText.split('\n').length, removed: oldText.split('\n').length };
  let added = 0;
  let removed = 0;
  for (const c of changes) {
    if (c.added) added += c.count;
    else if (c.removed) removed += c.count;
  }
  return { added, removed };
}
