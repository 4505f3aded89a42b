import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunCache, readRunAsync } from '../../../../src/extension/runs/runData';
import { ev, manifest, state } from '../helpers';

describe('async run reading', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mmgrpo-ext-runs-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function writeRun(id: string, createdAt: string, lines: string): string {
    const dir = join(root, id);
    mkdirSync(dir);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(manifest({ id, taskFile: '/w/t.ts', createdAt })));
    writeFileSync(join(dir, 'events.jsonl'), lines);
    return dir;
  }

  it('reads events (ignoring a torn tail), status and result.json', async () => {
    const finished = JSON.stringify(ev({ type: 'run_finished', status: 'completed', summary: { 'val/score': 0.5 } }));
    const dir = writeRun('a', '2026-11-30T10:00:00Z', `${finished}\n{"type":"lo`);
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ programState: state({ m: 'new' }) }));
    const run = await readRunAsync(dir, () => false);
    assert.equal(run.status, 'completed');
    assert.equal(run.tornTail, true);
    assert.equal(run.summary['val/score'], 0.5);
    assert.equal(run.resultState?.predictors.m.instructions, 'new');
  });

  it('lists runs newest first, skips non-runs, and rereads only changed runs', async () => {
    writeRun('old', '2026-11-29T10:00:00Z', '');
    const dir = writeRun('new', '2026-11-30T10:00:00Z', '');
    mkdirSync(join(root, 'not-a-run'));
    const cache = new RunCache(() => false);
    const first = await cache.list(root);
    assert.deepEqual(first.map((r) => r.id), ['new', 'old']);
    assert.equal(first[0].status, 'interrupted');
    const again = await cache.list(root);
    assert.equal(again[1], first[1], 'unchanged run comes from the cache');
    appendFileSync(join(dir, 'events.jsonl'), JSON.stringify(ev({ type: 'run_finished', status: 'cancelled', summary: {} })) + '\n');
    const third = await cache.list(root);
    assert.equal(third[0].status, 'cancelled');
    assert.deepEqual(await cache.list(join(root, 'missing')), []);
  });
});
