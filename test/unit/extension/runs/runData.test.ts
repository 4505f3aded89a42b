import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvents } from '../../../../src/engine/runs';
import { RunCache, readEventsIncremental, readRunAsync, type EventsProgress } from '../../../../src/extension/runs/runData';
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

  it('parses only what a live run appended, across torn and multi-byte boundaries, and starts over when the file is rewritten', async () => {
    const file = join(root, 'events.jsonl');
    const lines = Array.from({ length: 6 }, (_, i) => JSON.stringify(ev({ type: 'run_started', runId: `r${i}`, resumed: false, note: 'é😀'.repeat(i) } as never)) + '\n');
    const text = lines.join('');
    // Write it in uneven pieces, cutting through lines and through multi-byte characters.
    const bytes = Buffer.from(text, 'utf8');
    writeFileSync(file, '');
    let prev: EventsProgress | undefined;
    for (const cut of [7, 90, 91, 200, 333, bytes.length]) {
      writeFileSync(file, bytes.subarray(0, cut));
      const r = await readEventsIncremental(file, prev);
      const full = parseEvents(bytes.subarray(0, cut).toString('utf8'));
      assert.deepEqual(r.events, full.events, `after ${cut} bytes`);
      assert.equal(r.tornTail, full.tornTail, `torn tail after ${cut} bytes`);
      assert.ok(r.progress.bytes <= cut && bytes[r.progress.bytes - 1] === 0x0a || r.progress.bytes === 0);
      prev = r.progress;
    }
    assert.equal(prev!.bytes, bytes.length);
    assert.equal(prev!.events.length, 6);
    // Bytes already parsed are not read again (a same-length edit in place goes unseen).
    writeFileSync(file, text.replace('"r0"', '"x0"'));
    assert.equal(((await readEventsIncremental(file, prev)).events[0] as { runId?: string }).runId, 'r0');
    // Rewritten shorter (not an append): read again from the start.
    writeFileSync(file, lines[0]!);
    const again = await readEventsIncremental(file, prev);
    assert.equal(again.events.length, 1);
    assert.equal(again.progress.bytes, Buffer.byteLength(lines[0]!));
  });
});
