import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunWriter, runsRoot } from '../../../../src/engine/runs';
import { manifest } from '../helpers';

// The editor's view of a workspace: a run must not put 20 MB of run files into
// the Source Control view. The run store keeps itself out of git on first use.

describe('.mmgrpo/.gitignore on first use', () => {
  let ws = '';
  beforeEach(() => (ws = mkdtempSync(join(tmpdir(), 'mmgrpo-ws-'))));
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  const create = (root: string, id: string) => RunWriter.create(join(root, id), manifest({ id, taskFile: join(ws, 't.ts') })).close();

  it('ignores everything in .mmgrpo once the first run is created', () => {
    create(runsRoot(ws), 'r1');
    assert.equal(readFileSync(join(ws, '.mmgrpo', '.gitignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join('|'), '*');
  });

  it('leaves a .gitignore the user wrote alone, and a --runs-dir elsewhere untouched', () => {
    mkdirSync(join(ws, '.mmgrpo'));
    writeFileSync(join(ws, '.mmgrpo', '.gitignore'), 'models/\n');
    create(runsRoot(ws), 'r1');
    assert.equal(readFileSync(join(ws, '.mmgrpo', '.gitignore'), 'utf8'), 'models/\n');
    create(join(ws, 'my-runs'), 'r2');
    assert.equal(existsSync(join(ws, '.gitignore')), false);
  });
});
