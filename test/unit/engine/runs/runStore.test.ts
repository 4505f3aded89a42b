import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import {
  RunWriter,
  RunStoreError,
  buildManifest,
  listRuns,
  newRunId,
  parseEvents,
  readRun,
  isProcessAlive,
} from '../../../../src/engine/runs';

function manifestFor(id: string, config: Record<string, unknown> = {}) {
  return buildManifest({
    id,
    kind: 'eval',
    taskName: 't',
    taskFile: '/x/task.ts',
    seed: 1,
    config,
    programStateBefore: { version: 1, predictors: {} },
    workspace: tmpdir(),
  });
}

describe('run store', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'runs-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes a manifest and sequenced events that read back', () => {
    const w = RunWriter.create(join(root, 'r1'), manifestFor('r1'));
    const seen: string[] = [];
    w.onEvent((e) => seen.push(e.type));
    w.append({ type: 'run_started', runId: 'r1', kind: 'eval', taskName: 't', taskFile: 'f' });
    w.append({ type: 'eval_finished', stage: 'eval', split: 'val', score: 0.5, count: 2, errors: 0 });
    w.append({ type: 'run_finished', status: 'completed', summary: { 'val/score': 0.5 } });
    w.close();
    const run = readRun(join(root, 'r1'), isProcessAlive);
    assert.deepEqual(run.events.map((e) => e.seq), [0, 1, 2]);
    assert.deepEqual(seen, ['run_started', 'eval_finished', 'run_finished']);
    assert.equal(run.status, 'completed');
    assert.equal(run.summary['val/score'], 0.5);
    assert.equal(run.manifest.engineVersion.length > 0, true);
  });

  it('creates run folders without world-writable permissions', () => {
    const old = process.umask(0);
    try {
      const w = RunWriter.create(join(root, 'perm'), manifestFor('perm'));
      w.close();
    } finally {
      process.umask(old);
    }
    const mode = statSync(join(root, 'perm')).mode & 0o777;
    assert.equal(mode & 0o002, 0, `mode ${mode.toString(8)} is world-writable`);
    assert.equal(statSync(join(root, 'perm', 'run.json')).mode & 0o002, 0);
  });

  it('redacts secrets from the manifest config', () => {
    const w = RunWriter.create(join(root, 's'), manifestFor('s', { lm: { apiKey: 'sk-PLANTED-999', model: 'm', token: 't0k3n-x', maxTokens: 256, max_tokens: 64 } }));
    w.close();
    const text = readFileSync(join(root, 's', 'run.json'), 'utf8');
    assert.equal(text.includes('sk-PLANTED-999'), false);
    assert.equal(text.includes('t0k3n-x'), false);
    assert.match(text, /\[redacted\]/);
    const lm = (JSON.parse(text).config as { lm: Record<string, unknown> }).lm;
    assert.equal(lm.maxTokens, 256, 'token limits are settings, not secrets');
    assert.equal(lm.max_tokens, 64);
  });

  it('refuses a second writer on the same run folder while the first is alive', () => {
    const dir = join(root, 'busy');
    const w = RunWriter.create(dir, manifestFor('busy'));
    assert.throws(() => RunWriter.reopen(dir), (e: Error) => e instanceof RunStoreError && /in use by process/.test(e.message));
    assert.equal(readRun(dir, isProcessAlive).status, 'running');
    w.close();
    RunWriter.reopen(dir).close();
  });

  it('tolerates a torn last line, reports interrupted, and resumes the sequence', () => {
    const dir = join(root, 'torn');
    const w = RunWriter.create(dir, manifestFor('torn'));
    w.append({ type: 'log', level: 'info', message: 'a' });
    w.append({ type: 'log', level: 'info', message: 'b' });
    w.close();
    appendFileSync(join(dir, 'events.jsonl'), '{"v":1,"seq":2,"type":"lo');
    const before = readRun(dir, isProcessAlive);
    assert.equal(before.tornTail, true);
    assert.equal(before.events.length, 2);
    assert.equal(before.status, 'interrupted');
    const w2 = RunWriter.reopen(dir);
    w2.append({ type: 'log', level: 'info', message: 'c' });
    w2.close();
    const after = readRun(dir, isProcessAlive);
    assert.deepEqual(after.events.map((e) => e.seq), [0, 1, 2]);
    assert.equal(after.tornTail, false);
  });

  it('refuses to create a run over an existing one (which would repeat sequence numbers)', () => {
    const dir = join(root, 'twice');
    RunWriter.create(dir, manifestFor('twice')).close();
    assert.throws(() => RunWriter.create(dir, manifestFor('twice')), /already holds a run; resume it/);
  });

  it('takes over a lock left by a dead process', () => {
    const dir = join(root, 'stale');
    RunWriter.create(dir, manifestFor('stale')).close();
    writeFileSync(join(dir, 'run.lock'), '999999999');
    assert.equal(readRun(dir, isProcessAlive).status, 'interrupted');
    RunWriter.reopen(dir).close();
  });

  it('gives an actionable error for a read-only runs folder', function () {
    if (process.getuid && process.getuid() === 0) this.skip(); // root ignores permission bits
    chmodSync(root, 0o500);
    try {
      assert.throws(() => RunWriter.create(join(root, 'ro'), manifestFor('ro')), /EACCES.*writable/);
    } finally {
      chmodSync(root, 0o700);
    }
  });

  it('gives an actionable error when a file blocks the runs folder (works as root too)', () => {
    writeFileSync(join(root, 'blocked'), 'x');
    assert.throws(
      () => RunWriter.create(join(root, 'blocked', 'r'), manifestFor('r')),
      (e: Error) => e instanceof RunStoreError && /Cannot write the run folder .*(ENOTDIR|EEXIST)/.test(e.message),
    );
  });

  it('lists runs newest first and ignores foreign folders', () => {
    RunWriter.create(join(root, 'a'), { ...manifestFor('a'), createdAt: '2026-01-01T00:00:00.000Z' }).close();
    RunWriter.create(join(root, 'b'), { ...manifestFor('b'), createdAt: '2026-02-01T00:00:00.000Z' }).close();
    writeFileSync(join(root, 'note.txt'), 'x');
    assert.deepEqual(listRuns(root, isProcessAlive).map((r) => r.id), ['b', 'a']);
  });

  it('makes sortable run ids', () => {
    const id = newRunId('Banking 77!', new Date('2026-11-30T10:15:02Z'), () => 0.5);
    assert.equal(id, '20261130-101502-banking-77-8000');
  });

  it('parseEvents never throws on arbitrary text and keeps only whole events', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const r = parseEvents(text);
        for (const e of r.events) assert.equal(typeof e.seq, 'number');
      }),
      { numRuns: 500 },
    );
  });
});
