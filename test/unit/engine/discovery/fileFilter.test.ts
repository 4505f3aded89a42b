import { strict as assert } from 'node:assert';
import { createGitignoreMatcher, shouldIndex } from '../../../../src/engine/discovery/fileFilter';

describe('shouldIndex', () => {
  it('takes JS/TS sources only, not declaration files', () => {
    assert.equal(shouldIndex('src/a.ts'), true);
    assert.equal(shouldIndex('src/a.mjs'), true);
    assert.equal(shouldIndex('src/a.d.ts'), false);
    assert.equal(shouldIndex('README.md'), false);
  });

  it('skips node_modules, .mmgrpo, out and dist at any depth', () => {
    for (const p of ['node_modules/x/a.ts', 'pkg/node_modules/a.js', '.mmgrpo/runs/a.ts', 'out/a.js', 'packages/web/dist/a.js']) {
      assert.equal(shouldIndex(p), false, p);
    }
    assert.equal(shouldIndex('src/outline.ts'), true, 'only whole folder names count');
  });

  it('applies files.exclude globs to the file and its folders, in list or object form', () => {
    assert.equal(shouldIndex('gen/a.ts', ['gen']), false);
    assert.equal(shouldIndex('src/gen/a.ts', ['**/gen']), false);
    assert.equal(shouldIndex('src/a.test.ts', { '**/*.test.ts': true }), false);
    assert.equal(shouldIndex('src/a.test.ts', { '**/*.test.ts': false }), true, 'a disabled glob excludes nothing');
    assert.equal(shouldIndex('src\\gen\\a.ts', ['**/gen']), false, 'Windows separators');
  });

  it('honours .gitignore patterns', () => {
    const gi = createGitignoreMatcher('build/\n*.generated.ts\n!keep.generated.ts\n');
    assert.equal(shouldIndex('build/a.ts', [], gi), false);
    assert.equal(shouldIndex('src/x.generated.ts', [], gi), false);
    assert.equal(shouldIndex('src/keep.generated.ts', [], gi), true);
    assert.equal(shouldIndex('src/a.ts', [], gi), true);
  });
});
