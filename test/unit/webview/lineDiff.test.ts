import { strict as assert } from 'node:assert';
import { diffStats, lineDiff, type DiffLine } from '../../../src/webview/lineDiff';

/** Rebuilds both texts from a diff: a diff is correct only if both come back. */
function sides(lines: DiffLine[]): [string, string] {
  return [lines.filter((l) => l.kind !== 'add').map((l) => l.text).join('\n'), lines.filter((l) => l.kind !== 'del').map((l) => l.text).join('\n')];
}

describe('lineDiff', () => {
  it('marks a changed line as one removal and one addition, keeping the rest', () => {
    const d = lineDiff('a\nb\nc', 'a\nB\nc');
    assert.deepEqual(d.map((l) => `${l.kind}:${l.text}`), ['same:a', 'del:b', 'add:B', 'same:c']);
    assert.deepEqual(d.map((l) => [l.oldLine, l.newLine]), [[1, 1], [2, undefined], [undefined, 2], [3, 3]]);
  });

  it('finds the longest common subsequence, not just a common head and tail', () => {
    const d = lineDiff('x\na\nb\nc\ny', 'a\nq\nb\nc\nz');
    assert.deepEqual(d.filter((l) => l.kind === 'same').map((l) => l.text), ['a', 'b', 'c']);
    assert.deepEqual(diffStats(d), { added: 2, removed: 2 });
  });

  it('handles empty texts and CRLF line ends', () => {
    assert.deepEqual(lineDiff('', ''), []);
    assert.deepEqual(lineDiff('', 'a\nb').map((l) => l.kind), ['add', 'add']);
    assert.deepEqual(lineDiff('a\r\nb', 'a\nb').map((l) => l.kind), ['same', 'same']);
  });

  it('reconstructs both sides for many deterministic edit patterns', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let t = 0; t < 200; t++) {
      const a = Array.from({ length: Math.floor(next() * 12) }, () => 'abcd'[Math.floor(next() * 4)]);
      const b = a.filter(() => next() > 0.3).concat(next() > 0.5 ? ['z'] : []);
      if (next() > 0.5) b.splice(Math.floor(next() * (b.length + 1)), 0, 'n');
      const d = lineDiff(a.join('\n'), b.join('\n'));
      assert.deepEqual(sides(d), [a.join('\n'), b.join('\n')]);
      // b keeps a's lines in order minus some: everything kept must show as same.
      assert.ok(d.filter((l) => l.kind === 'same').length >= b.filter((x) => x !== 'z' && x !== 'n').length);
    }
  });

  it('stays bounded on huge unrelated texts (replaces the middle wholesale)', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n');
    assert.deepEqual(diffStats(lineDiff(a, b)), { added: 3000, removed: 3000 });
  });
});
