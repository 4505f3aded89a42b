import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RunWriter,
  RunStoreError,
  buildManifest,
  deriveStatus,
  listRuns,
  parseEvents,
  readManifest,
  readRun,
} from '../../../../src/engine/runs';

// Edges of the run store that decide what a run panel shows and whether a
// resume repeats or loses events (issue 18, mutation testing).

const alive = () => true;
const dead = () => false;

function manifestFor(id: string, createdAt = '2026-01-01T00:00:00.000Z') {
  return {
    ...buildManifest({ id, kind: 'train', taskName: 't', taskFile: '/x/task.ts', seed: 1, config: {}, programStateBefore: { version: 1, predictors: {} }, workspace: tmpdir() }),
    createdAt,
  };
}

const ev = (seq: number, type: string, extra: Record<string, unknown> = {}) => JSON.stringify({ v: 1, seq, ts: 't', type, ...extra });

describe('run store: parsing events.jsonl', () => {
  it('counts a bad line in the middle as skipped and a cut last line as torn', () => {
    const r = parseEvents(`${ev(0, 'run_started')}\n{"v":1,"se\n${ev(1, 'log')}\n{"v":1,"seq":2,"ty`);
    assert.deepEqual(r.events.map((e) => e.seq), [0, 1]);
    assert.equal(r.skipped, 1);
    assert.equal(r.tornTail, true);
    assert.equal(r.endsWithNewline, false);
  });

  it('a bad last line that ends with a newline is skipped, not torn', () => {
    const r = parseEvents(`${ev(0, 'run_started')}\nnot json\n`);
    assert.deepEqual([r.events.length, r.skipped, r.tornTail, r.endsWithNewline], [1, 1, false, true]);
  });

  it('keeps a whole last event that lost its newline, and ignores blank lines', () => {
    const r = parseEvents(`\n${ev(0, 'run_started')}\n   \n${ev(1, 'log')}`);
    assert.deepEqual([r.events.map((e) => e.seq), r.skipped, r.tornTail, r.endsWithNewline], [[0, 1], 0, false, false]);
  });

  it('needs type, seq and v to count as an event, and drops types from a newer engine', () => {
    const lines = [
      JSON.stringify({ seq: 0, v: 1 }),
      JSON.stringify({ type: 'log', v: 1 }),
      JSON.stringify({ type: 'log', seq: 0 }),
      JSON.stringify({ type: 'log', seq: '0', v: 1 }),
      'null',
      '7',
      ev(5, 'from_the_future'),
      ev(6, 'log'),
    ];
    const r = parseEvents(lines.join('\n') + '\n');
    assert.deepEqual(r.events.map((e) => e.seq), [6]);
    assert.equal(r.skipped, 6, 'the unknown type is not an error');
  });

  it('reads the empty file as no events and a clean end', () => {
    assert.deepEqual(parseEvents(''), { events: [], tornTail: false, skipped: 0, endsWithNewline: true });
  });
});

describe('run store: status and summary', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'runs-edges-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const events = (text: string) => parseEvents(text).events;

  it('the last finish wins, unless a resume started after it', () => {
    const finished = events(`${ev(0, 'run_started')}\n${ev(1, 'run_finished', { status: 'cancelled', summary: {} })}\n`);
    assert.equal(deriveStatus(root, finished, alive), 'cancelled');
    const logAfter = events(`${ev(0, 'run_started')}\n${ev(1, 'run_finished', { status: 'failed', summary: {} })}\n${ev(2, 'log')}\n`);
    assert.equal(deriveStatus(root, logAfter, alive), 'failed', 'a log line after the finish does not hide it');
    const resumed = events(`${ev(0, 'run_started')}\n${ev(1, 'run_finished', { status: 'cancelled', summary: {} })}\n${ev(2, 'run_started')}\n${ev(3, 'log')}\n`);
    assert.equal(deriveStatus(root, resumed, dead), 'interrupted');
  });

  it('a run without a finish is running only while its lock holder lives', () => {
    const started = events(`${ev(0, 'run_started')}\n`);
    assert.equal(deriveStatus(root, started, alive), 'interrupted', 'no lock file');
    writeFileSync(join(root, 'run.lock'), '4242');
    const asked: number[] = [];
    assert.equal(deriveStatus(root, started, (pid) => (asked.push(pid), true)), 'running');
    assert.deepEqual(asked, [4242]);
    assert.equal(deriveStatus(root, started, dead), 'interrupted');
  });

  it('summarizes the latest eval per split, then the final summary on top', () => {
    const w = RunWriter.create(join(root, 'r'), manifestFor('r'));
    w.append({ type: 'eval_finished', stage: 's', split: 'val', score: 0.1, count: 1, errors: 0 });
    w.append({ type: 'eval_finished', stage: 's', split: 'val', score: 0.4, count: 1, errors: 0 });
    w.append({ type: 'eval_finished', stage: 's', split: 'train', score: 0.3, count: 1, errors: 0 });
    let read = readRun(join(root, 'r'), dead);
    assert.deepEqual(read.summary, { 'val/score': 0.4, 'train/score': 0.3 });
    w.append({ type: 'run_finished', status: 'completed', summary: { 'val/score': 0.9, best_step: 3 } });
    w.close();
    read = readRun(join(root, 'r'), dead);
    assert.deepEqual(read.summary, { 'val/score': 0.9, 'train/score': 0.3, best_step: 3 });
    assert.equal(read.status, 'completed');
    assert.equal(read.eventCount, 4);
    assert.equal(read.lastEventAt, read.events[3].ts);
  });

  it('lists nothing for a missing root and skips a run whose manifest is not JSON', () => {
    assert.deepEqual(listRuns(join(root, 'missing'), dead), []);
    RunWriter.create(join(root, 'ok'), manifestFor('ok')).close();
    mkdirSync(join(root, 'bad'));
    writeFileSync(join(root, 'bad', 'run.json'), '{');
    assert.deepEqual(listRuns(root, dead).map((r) => r.id), ['ok']);
    assert.throws(() => readManifest(join(root, 'bad')), (e: Error) => e instanceof RunStoreError && /run\.json is not valid JSON/.test(e.message));
    assert.throws(() => readManifest(join(root, 'none')), /is not a run folder: run\.json is missing/);
  });
});

describe('run store: writer', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'runs-writer-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('notifies listeners until they unsubscribe, and refuses events after close', () => {
    const w = RunWriter.create(join(root, 'r'), manifestFor('r'));
    const seen: number[] = [];
    const off = w.onEvent((e) => seen.push(e.seq));
    w.append({ type: 'log', level: 'info', message: 'a' });
    off();
    w.append({ type: 'log', level: 'info', message: 'b' });
    assert.deepEqual(seen, [0]);
    w.close();
    w.close();
    assert.equal(existsSync(join(root, 'r', 'run.lock')), false, 'the lock is released');
    assert.throws(() => w.append({ type: 'log', level: 'info', message: 'c' }), /is closed; no more events/);
  });

  it('resumes with the events written so far and continues their sequence', () => {
    const w = RunWriter.create(join(root, 'r'), manifestFor('r'));
    w.append({ type: 'log', level: 'info', message: 'a' });
    w.append({ type: 'log', level: 'info', message: 'b' });
    w.close();
    const { writer, runId, events } = RunWriter.resume(join(root, 'r'));
    assert.equal(runId, 'r');
    assert.deepEqual(events.map((e) => e.seq), [0, 1]);
    assert.equal(writer.append({ type: 'log', level: 'info', message: 'c' }).seq, 2);
    writer.close();
    assert.throws(() => RunWriter.reopen(join(root, 'nothing')), /is not a run folder \(no run\.json\)/);
  });

  it('refuses artifact names that leave the run folder', () => {
    const w = RunWriter.create(join(root, 'r'), manifestFor('r'));
    for (const name of ['../x', 'a/../../x', '/etc/x']) assert.throws(() => w.writeArtifact(name, 'x'), /Invalid artifact name/);
    const p = w.writeArtifact('report.html', '<p>');
    assert.equal(p, join(root, 'r', 'report.html'));
    assert.equal(readFileSync(p, 'utf8'), '<p>');
    w.close();
  });

  it('keeps the default store out of git once, and leaves other layouts and edited files alone', () => {
    const store = join(root, '.mmgrpo');
    RunWriter.create(join(store, 'runs', 'a'), manifestFor('a')).close();
    assert.match(readFileSync(join(store, '.gitignore'), 'utf8'), /^# Written by MMGRPO.*\n\*\n$/);
    writeFileSync(join(store, '.gitignore'), 'mine\n');
    RunWriter.create(join(store, 'runs', 'b'), manifestFor('b')).close();
    assert.equal(readFileSync(join(store, '.gitignore'), 'utf8'), 'mine\n');
    RunWriter.create(join(root, 'elsewhere', 'runs', 'c'), manifestFor('c')).close();
    assert.equal(existsSync(join(root, 'elsewhere', '.gitignore')), false);
  });
});
