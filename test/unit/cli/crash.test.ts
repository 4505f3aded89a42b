import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isProcessAlive, readRun } from '../../../src/engine/runs';
import { seededRandom } from '../../../src/engine/util/rng';

const root = resolve(__dirname, '..', '..', '..');
const task = join(root, 'examples', 'banking77', 'task.ts');
const args = ['--steps', '4', '--examples-per-step', '2', '--rollouts', '4', '--val-every', '2', '--seed', '9', '--backend-module', join(root, 'test', 'fixtures', 'fakeBackend.ts')];

/** Runs the CLI; kills it with SIGKILL after `killAfterEvents` events (if given). Resolves with the exit signal/code. */
function run(cliArgs: string[], cwd: string, killAfterEvents?: number): Promise<string> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), join(root, 'src', 'cli', 'main.ts'), ...cliArgs, '--json'], { cwd });
    let lines = 0;
    child.stdout.on('data', (d: Buffer) => {
      lines += d.toString().split('\n').length - 1;
      if (killAfterEvents !== undefined && lines >= killAfterEvents) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => done(signal ?? String(code)));
  });
}

// SIGKILL at random points (seeded), then resume: the store reads cleanly and
// every step is finished exactly once. The fake model keeps each run ~2 s.
describe('crash and resume (SIGKILL at random points)', function () {
  this.timeout(300_000);
  const rand = seededRandom(2026);
  for (let i = 0; i < 3; i++) {
    const killAt = 5 + Math.floor(rand() * 700); // the whole run writes ~1,100 events
    it(`survives a SIGKILL after ${killAt} events`, async () => {
      const ws = mkdtempSync(join(tmpdir(), 'crash-'));
      try {
        const first = await run(['train', task, ...args], ws, killAt);
        const runs = readdirSync(join(ws, '.mmgrpo', 'runs'));
        assert.equal(runs.length, 1);
        const dir = join(ws, '.mmgrpo', 'runs', runs[0]);
        const before = readRun(dir, isProcessAlive);
        // A run that finished before the kill tests nothing: the kill must land mid-run.
        assert.equal(first, 'SIGKILL', `the run ended with ${first} before the kill after ${killAt} events`);
        assert.equal(before.status, 'interrupted');
        assert.ok(!before.events.some((e) => e.type === 'run_finished'), 'killed before it finished');
        const seqs = before.events.map((e) => e.seq);
        assert.deepEqual(seqs, seqs.map((_, k) => k), 'events are whole and in sequence');
        assert.equal(await run(['train', '--resume', runs[0]], ws), '0');
        const after = readRun(dir, isProcessAlive);
        assert.equal(after.status, 'completed');
        const steps = after.events.flatMap((e) => (e.type === 'step_finished' ? [e.step] : []));
        assert.deepEqual(steps, [1, 2, 3, 4], 'no step lost, none repeated');
        assert.deepEqual(after.events.map((e) => e.seq), after.events.map((_, k) => k));
      } finally {
        rmSync(ws, { recursive: true, force: true });
      }
    });
  }
});
