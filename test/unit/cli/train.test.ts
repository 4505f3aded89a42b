import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isProcessAlive, readRun } from '../../../src/engine/runs';
import { cliFromSource, type OnStdout } from '../../fixtures/cliFromSource';

const root = resolve(__dirname, '..', '..', '..');
const task = join(root, 'examples', 'banking77', 'task.ts');
const fake = ['--backend-module', join(root, 'test', 'fixtures', 'fakeBackend.ts')];
const small = ['--steps', '3', '--examples-per-step', '2', '--rollouts', '4', '--val-every', '2', '--seed', '5'];

const cli = (args: string[], cwd: string, onStdout?: OnStdout) => cliFromSource(args, cwd, {}, onStdout);

const stepsOf = (dir: string) => readRun(dir, isProcessAlive).events.flatMap((e) => (e.type === 'step_finished' ? [e.step] : []));

// Orchestration under test (backend process, warm start, SIGINT, resume);
// a deterministic fake model keeps it fast. Learning is tested on the real model elsewhere.
describe('mmgrpo train (CLI, fake model)', function () {
  this.timeout(120_000);
  let ws: string;
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'train-ws-'));
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('trains, validates, reports a final table and records a completed run', async () => {
    const r = await cli(['train', task, ...small, ...fake, '--warm-start-epochs', '1'], ws);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Supervised warm start: \d+ labeled module calls/);
    assert.match(r.stderr, /Validation\n {2}start \(step 0\)/);
    assert.match(r.stderr, /Module groups over all steps\n.*module.*\n.*triage.*\n.*classify/);
    const [id] = readdirSync(join(ws, '.mmgrpo', 'runs'));
    const dir = join(ws, '.mmgrpo', 'runs', id);
    assert.deepEqual(stepsOf(dir), [1, 2, 3]);
    assert.equal(readRun(dir, isProcessAlive).status, 'completed');
  });

  it('SIGINT leaves a resumable run; --resume finishes it without repeating a step', async () => {
    let sent = false;
    const first = await cli(['train', task, ...small, ...fake, '--json'], ws, (out, kill) => {
      if (!sent && out.includes('"type":"step_finished"')) {
        sent = true;
        kill();
      }
    });
    assert.equal(first.code, 130, first.stderr);
    const [id] = readdirSync(join(ws, '.mmgrpo', 'runs'));
    const dir = join(ws, '.mmgrpo', 'runs', id);
    assert.equal(readRun(dir, isProcessAlive).status, 'cancelled');
    const done = stepsOf(dir);
    assert.ok(done.length >= 1 && done.length < 3, `finished steps before resume: ${done}`);
    const second = await cli(['train', '--resume', id, '--json'], ws);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(stepsOf(dir), [1, 2, 3]);
    assert.equal(readRun(dir, isProcessAlive).status, 'completed');
    const again = await cli(['train', '--resume', id], ws);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already completed/);
  });

  it('--dry-run prints calls and tokens per stage and starts nothing', async () => {
    const r = await cli(['train', task, '--dry-run', '--steps', '10', '--val-every', '5', '--price-prompt', '1', '--price-completion', '2'], ws);
    assert.equal(r.code, 0, r.stderr);
    // 10 steps x 4 inputs x 8 rollouts x 2 modules; validation at steps 0, 5, 10 on 120 examples x 2 modules.
    assert.match(r.stdout, /mmgrpo rollouts\s+640\s/);
    assert.match(r.stdout, /validation\s+720\s/);
    assert.match(r.stdout, /total\s+1360\s/);
    assert.equal(readdirSync(ws).length, 0, 'no run folder, no model folder');
  });

  it('rejects invalid configuration before any LM call, saying what to change', async () => {
    const cases: [string[], RegExp][] = [
      [['--rollouts', '1'], /rolloutsPerExample must be at least 2/],
      [['--grouping', 'fill'], /needs fillStrategy/],
      [['--grouping', 'zigzag'], /groupingMode "zigzag" is unknown/],
      [['--backend', 'remote'], /needs backend.inferenceUrl/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(['train', task, ...args], ws);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
    const down = await cli(['train', task, '--backend', 'remote', '--inference-url', 'http://127.0.0.1:59998/v1', '--trainer-url', 'http://127.0.0.1:59998/v1', '--model', 'm'], ws);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /Cannot reach the LM server at http:\/\/127\.0\.0\.1:59998\/v1/);
  });
});
