import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { startCli } from '../../../../src/extension/tasks/cliProcess';
import { describeEvent } from '../../../../src/engine/runs/eventText';
import { LineSplitter, parseEventLine } from '../../../../src/extension/tasks/eventStream';
import { reduceProgress, type RunProgress } from '../../../../src/extension/tasks/runProgress';
import type { RunEvent } from '../../../../src/protocol/events';

const FAKE = join(__dirname, '..', 'fixtures', 'fakeCli.js');
const launch = (mode: string, env: Record<string, string> = {}) => ({ node: process.execPath, script: FAKE, args: [mode], cwd: __dirname, env: { PATH: process.env.PATH ?? '', ...env } });

describe('CLI event stream', () => {
  it('splits chunks into lines, across chunk and UTF-8 boundaries', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('ab\r\nÉ1\n2');
    assert.deepEqual(s.push(bytes.subarray(0, 5)), ['ab']);
    assert.deepEqual(s.push(bytes.subarray(5)), ['É1']);
    assert.deepEqual(s.flush(), ['2']);
    assert.deepEqual(s.flush(), []);
  });

  it('parses known events only', () => {
    assert.equal(parseEventLine('{"type":"log","seq":0,"v":1,"level":"info","message":"m"}')?.type, 'log');
    assert.equal(parseEventLine('{"type":"nope","seq":0}'), undefined);
    assert.equal(parseEventLine('{"type":"log"'), undefined);
    assert.equal(parseEventLine('Run completed'), undefined);
  });

  it('reads events, text and stderr from a child process', async () => {
    const events: RunEvent[] = [];
    const text: string[] = [];
    const run = startCli(launch('events', { MMGRPO_API_KEY: 'k-123' }), { onEvent: (e) => events.push(e), onText: (l, s) => text.push(`${s}: ${l}`) });
    const exit = await run.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.deepEqual(events.map((e) => e.type), ['run_started', 'log', 'stage_started', 'run_finished']);
    assert.equal((events[1] as Extract<RunEvent, { type: 'log' }>).message, 'key set');
    assert.equal((events[2] as Extract<RunEvent, { type: 'stage_started' }>).label, 'Évaluer');
    // A newer CLI's unknown event type is skipped, not echoed as raw JSON.
    assert.deepEqual(text, ['stdout: plain text that is not an event', 'stderr: a warning on stderr']);
    let p: RunProgress = { message: '' };
    for (const e of events) p = reduceProgress(p, e);
    assert.equal(p.runId, 'fake-run');
    assert.equal(p.finished, 'completed');
    assert.equal(describeEvent(events[0]), 'Started train run fake-run (fake)');
  });

  it('cancels with SIGINT so the CLI can record a resumable run', async () => {
    const events: RunEvent[] = [];
    const run = startCli(launch('wait'), {
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'run_started') run.cancel();
      },
    });
    const exit = await run.exited;
    assert.equal(exit.code, 3);
    assert.deepEqual(events.map((e) => e.type), ['run_started', 'run_finished']);
    assert.equal((events[1] as Extract<RunEvent, { type: 'run_finished' }>).status, 'cancelled');
    run.cancel(); // after exit: a no-op, not an error
  });

  it('reports a process that cannot start', async () => {
    const exit = await startCli({ ...launch('events'), node: join(__dirname, 'no-such-node') }).exited;
    assert.match(exit.error ?? '', /Could not start/);
  });
});
