/** One line of a line diff: kept, removed from the old text, or added in the new one. */
export interface DiffLine {
  kind: 'same' | 'del' | 'add';
  text: string;
  /** 1-based line number in the old text (same, del). */
  oldLine?: number;
  /** 1-based line number in the new text (same, add). */
  newLine?: number;
}

/** Above this many table cells the middle part is shown as replaced wholesale (memory stays bounded). */
const MAX_CELLS = 4_000_000;

/**
 * Line diff by longest common subsequence. Common head and tail are trimmed
 * first, so the quadratic table only covers the part that changed (prompt
 * edits are usually local).
 */
export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const out: DiffLine[] = [];
  for (let i = 0; i < head; i++) out.push({ kind: 'same', text: a[i], oldLine: i + 1, newLine: i + 1 });
  diffMiddle(a.slice(head, a.length - tail), b.slice(head, b.length - tail), head, head, out);
  for (let k = tail; k > 0; k--) {
    const i = a.length - k;
    const j = b.length - k;
    out.push({ kind: 'same', text: a[i], oldLine: i + 1, newLine: j + 1 });
  }
  return out;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\r\n?/g, '\n').split('\n');
}

function diffMiddle(a: string[], b: string[], aOff: number, bOff: number, out: DiffLine[]): void {
  const n = a.length;
  const m = b.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    a.forEach((text, i) => out.push({ kind: 'del', text, oldLine: aOff + i + 1 }));
    b.forEach((text, j) => out.push({ kind: 'add', text, newLine: bOff + j + 1 }));
    return;
  }
  // lcs[i * (m + 1) + j] = LCS length of a[i..] and b[j..]
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i], oldLine: aOff + i + 1, newLine: bOff + j + 1 });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
      // Removals before additions on ties: reads like a unified diff.
      out.push({ kind: 'del', text: a[i], oldLine: aOff + i + 1 });
      i++;
    } else {
      out.push({ kind: 'add', text: b[j], newLine: bOff + j + 1 });
      j++;
    }
  }
}

/** Counts of added and removed lines, for a one-line summary. */
export function diffStats(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const l of lines) {
    if (l.kind === 'add') added++;
    else if (l.kind === 'del') removed++;
  }
  return { added, removed };
}
