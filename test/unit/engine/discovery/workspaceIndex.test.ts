import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WorkspaceIndex, mayMatter } from '../../../../src/engine/discovery/workspaceIndex';
import { fixture, FIXTURES } from './helpers';

function fullIndex(): WorkspaceIndex {
  const index = new WorkspaceIndex();
  for (const f of readdirSync(FIXTURES)) index.update(join(FIXTURES, f), fixture(f).text);
  return index;
}

const GOOD = "import { Module, Predict } from 'mmgrpo';\nexport class P extends Module {\n  a = new Predict('x -> y');\n  async forward() { return {}; }\n}\n";
const BROKEN = "import { Module, Predict } from 'mmgrpo';\nexport class P extends Module {\n  a = new Predict('x -> y';\n  b = new Predict('y -> z');\n}\n";

describe('WorkspaceIndex', () => {
  it('links every task to its program across files and re-exports', () => {
    const byName = new Map(fullIndex().tasks().map((t) => [t.name, t.programRef]));
    const at = (f: string) => join(FIXTURES, f);
    assert.deepEqual(byName.get('aliases-task'), { file: at('aliases.ts'), name: 'AliasProgram' });
    // `Renamed` is `MultiHop` re-exported under another name by a barrel.
    assert.deepEqual(byName.get('reexport-task'), { file: at('multiHop.ts'), name: 'MultiHop' });
    // Through `export * from './namespace'`.
    assert.deepEqual(byName.get('star-task'), { file: at('namespace.ts'), name: 'NsProgram' });
    assert.deepEqual(byName.get('local-task'), { file: at('taskLocal.ts'), name: 'LocalProgram' });
    assert.equal(byName.size, 4);
  });

  it('promotes classes whose imported base is a program, and only those', () => {
    const names = fullIndex().programs().map((p) => p.name);
    for (const n of ['SuperHop', 'Polished', 'Outer', 'MultiHop', 'JsProgram', 'default']) assert.ok(names.includes(n), n);
    assert.ok(!names.includes('LookAlike'), 'extends a look-alike Module');
    assert.ok(!names.includes('Broken'), 'a file with syntax errors and no good past shows nothing');
  });

  it('expands sub-modules from other files in field order, with their files', () => {
    const preds = fullIndex().predictorsOf('Outer')!;
    assert.deepEqual(preds.map((p) => [p.name, p.file.endsWith('multiHop.ts')]), [
      ['pre', false],
      ['inner.generateQuery', true],
      ['inner.summarize', true],
      ['post', false],
    ]);
    assert.equal(fullIndex().predictorsOf('NoSuchProgram'), undefined);
  });

  it('keeps the last good result of a file with syntax errors and marks it stale', () => {
    const index = new WorkspaceIndex();
    const first = index.update('/w/p.ts', GOOD);
    assert.equal(first.changed, true);
    const broken = index.update('/w/p.ts', BROKEN);
    assert.equal(broken.changed, true);
    assert.equal(broken.state.stale, true);
    assert.ok(broken.state.diagnostics.length > 0);
    assert.equal(broken.state.diagnostics[0].range.start.line, 2);
    assert.match(broken.state.diagnostics[0].message, /'\)' expected/);
    const [p] = index.programs();
    assert.equal(p.stale, true);
    assert.deepEqual(p.predictors.map((x) => x.name), ['a'], 'the half-typed `b` must not show up');
    assert.deepEqual(index.staleFiles().map((s) => s.path), ['/w/p.ts']);
    const fixed = index.update('/w/p.ts', GOOD.replace("a = new Predict('x -> y');", "a = new Predict('x -> y');\n  b = new Predict('y -> z');"));
    assert.equal(fixed.state.stale, false);
    assert.deepEqual(index.predictorsOf('P')!.map((x) => x.name), ['a', 'b']);
  });

  it('shows nothing for a broken file it never saw in good shape', () => {
    const index = new WorkspaceIndex();
    const r = index.update('/w/p.ts', BROKEN);
    assert.equal(r.state.stale, true);
    assert.deepEqual(index.programs(), []);
  });

  it('updates one file at a time and forgets removed files', () => {
    const index = new WorkspaceIndex();
    index.update('/w/p.ts', GOOD);
    index.update('/w/task.ts', "import { defineTask } from 'mmgrpo';\nimport { P } from './p';\nexport default defineTask({ name: 't', program: new P() });\n");
    assert.deepEqual(index.tasks()[0].programRef, { file: '/w/p.ts', name: 'P' });
    assert.equal(index.update('/w/p.ts', GOOD).changed, false, 'same text, same result');
    assert.equal(index.update('/w/p.ts', GOOD.replace('class P', 'class Q')).changed, true);
    assert.equal(index.tasks()[0].programRef, undefined, 'P is gone');
    assert.equal(index.remove('/w/task.ts'), true);
    assert.deepEqual(index.tasks(), []);
    assert.equal(index.remove('/w/task.ts'), false);
  });

  it('resolves .js-suffixed and folder-index specifiers to TypeScript files', () => {
    const index = new WorkspaceIndex();
    index.update('/w/lib/index.ts', GOOD);
    index.update('/w/a.ts', "import { defineTask } from 'mmgrpo';\nimport { P } from './lib';\nexport default defineTask({ name: 'a', program: new P() });\n");
    index.update('/w/b.ts', "import { defineTask } from 'mmgrpo';\nimport { P } from './lib/index.js';\nexport default defineTask({ name: 'b', program: new P() });\n");
    assert.deepEqual(index.tasks().map((t) => t.programRef?.file), ['/w/lib/index.ts', '/w/lib/index.ts']);
  });

  it('pre-filters on the module name without letting the substring decide', () => {
    assert.equal(mayMatter('export const x = 1;'), false);
    assert.equal(mayMatter('// mmgrpo'), true);
    assert.equal(mayMatter("export * from './x';"), true);
    const index = new WorkspaceIndex();
    assert.equal(index.update('/w/u.ts', 'export class Module {}\n').state.parsed, false);
    const c = fixture('commentOnly.ts');
    const r = index.update(c.path, c.text);
    assert.equal(r.state.parsed, true);
    assert.deepEqual(index.programs(), []);
  });
});
