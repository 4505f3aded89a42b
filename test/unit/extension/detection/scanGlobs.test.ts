import { strict as assert } from 'node:assert';
import { isSourcePath, scanExcludeGlob } from '../../../../src/extension/detection/scanGlobs';

describe('workspace scan globs', () => {
  it('excludes the skipped folders plus enabled files.exclude globs without braces', () => {
    const g = scanExcludeGlob({ '**/build': true, '**/keep': false, '**/*.{js,map}': true });
    assert.ok(g.startsWith('{') && g.endsWith('}'));
    const parts = g.slice(1, -1).split(',');
    assert.ok(parts.includes('**/node_modules/**') && parts.includes('**/.mmgrpo/**'));
    assert.ok(parts.includes('**/build'));
    assert.ok(!parts.includes('**/keep'), 'disabled globs are not excluded');
    assert.ok(!g.includes('{js,map}'), 'brace globs cannot nest; shouldIndex filters them later');
  });

  it('recognizes source files but not declarations', () => {
    assert.ok(isSourcePath('/w/a.ts') && isSourcePath('/w/b.mjs') && isSourcePath('/w/c.TSX'));
    assert.ok(!isSourcePath('/w/a.d.ts') && !isSourcePath('/w/a.json'));
  });
});
