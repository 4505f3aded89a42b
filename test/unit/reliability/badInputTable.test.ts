import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

// Ties docs/bad-input.md to its tests: every row names tests that exist, and
// every test titled "Bnn ..." is listed by row Bnn. The table is the promise,
// the tests are the proof; either one drifting alone is a failure here.

const root = join(__dirname, '..', '..', '..');
const TABLE = 'docs/bad-input.md';

interface Row {
  id: string;
  tests: Array<{ file: string; title: string }>;
}

/** Rows `| Bnn | ... | <test cell> |`; the test cell is `` `file` title `` entries separated by `; `. */
function parseTable(markdown: string): Row[] {
  return markdown
    .split('\n')
    .filter((line) => /^\|\s*B\d+\s*\|/.test(line))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      const cell = cells[cells.length - 1];
      const tests = [...cell.matchAll(/`([^`]+\.test\.ts)`\s+([^`;]+?)\s*(?=;\s*`|$)/g)].map((m) => ({ file: m[1], title: m[2] }));
      return { id: cells[0], tests };
    });
}

/** Titles of the `it(...)` calls in a test file's source (string literals, escapes undone). */
function itTitles(source: string): string[] {
  return [...source.matchAll(/\bit\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)].map((m) => m[2].replace(/\\(.)/g, '$1'));
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe(`${TABLE} and its tests`, () => {
  const rows = parseTable(readFileSync(join(root, TABLE), 'utf8'));
  const titlesOf = new Map<string, string[]>();
  const titles = (file: string) => {
    if (!titlesOf.has(file)) titlesOf.set(file, itTitles(readFileSync(join(root, file), 'utf8')));
    return titlesOf.get(file)!;
  };

  it('numbers rows B01, B02, ... once each, in order', () => {
    assert.ok(rows.length >= 56, `rows read: ${rows.length}`);
    rows.forEach((r, i) => {
      assert.match(r.id, /^B\d{2,}$/, `row ${i + 1}: "${r.id}" is not a row number like B07`);
      if (i > 0) assert.ok(Number(r.id.slice(1)) > Number(rows[i - 1].id.slice(1)), `${r.id} comes after ${rows[i - 1].id}: repeated or out of order`);
    });
  });

  it('every row names at least one test, and each named test exists', () => {
    const problems: string[] = [];
    for (const r of rows) {
      if (r.tests.length === 0) problems.push(`${r.id}: no test named (write \`test/.../file.test.ts\` title)`);
      for (const t of r.tests) {
        if (!existsSync(join(root, t.file))) problems.push(`${r.id}: ${t.file} does not exist`);
        else if (!titles(t.file).some((title) => title.startsWith(t.title))) problems.push(`${r.id}: no it('${t.title}...') in ${t.file}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('every test titled "Bnn ..." is listed by row Bnn', () => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const problems: string[] = [];
    let claims = 0;
    for (const path of testFiles(join(root, 'test'))) {
      const file = relative(root, path).split('\\').join('/');
      for (const title of titles(file)) {
        const id = /^(B\d{2,})\b/.exec(title)?.[1];
        if (!id) continue;
        claims++;
        const row = byId.get(id);
        if (!row) problems.push(`${file}: "${title}" claims row ${id}, which ${TABLE} lacks`);
        else if (!row.tests.some((t) => t.file === file && title.startsWith(t.title))) problems.push(`${file}: "${title}" is not listed in row ${id}`);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(claims >= 50, `tests titled Bnn found: ${claims}`);
  });
});
