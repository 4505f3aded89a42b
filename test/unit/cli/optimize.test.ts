import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunEvent } from '../../../src/protocol/events';
import { isProcessAlive, readRun } from '../../../src/engine/runs';

import { cliFromSource } from '../../fixtures/cliFromSource';

const root = resolve(__dirname, '..', '..', '..');
const fake = ['--backend-module', join(root, 'test', 'fixtures', 'fakeBackend.ts')];
const smallP = ['--trials', '2', '--minibatch', '4', '--full-eval-every', '2', '--max-demos', '1', '--demo-sets', '2', '--bootstrap-threshold', '0.5'];
const smallW = ['--steps', '2', '--examples-per-step', '2', '--rollouts', '2', '--val-every', '2', '--seed', '5'];


const cli = cliFromSource;

/** Stage names of the val evaluations that close each stage (no step). */
const closingEvals = (events: readonly RunEvent[]) => events.flatMap((e) => (e.type === 'eval_finished' && e.step === undefined ? [e.stage] : []));

// Orchestration under test (backend process, stages, result.json, apply) on the deterministic fake model.
describe('mmgrpo optimize / apply (CLI, fake model)', function () {
  this.timeout(180_000);
  let ws: string;
  let task: string;
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'optimize-ws-'));
    // A copy of the example, so `apply` writes next to a task file the test owns.
    cpSync(join(root, 'examples', 'banking77'), join(ws, 'banking77'), { recursive: true });
    task = join(ws, 'banking77', 'task.ts');
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  const onlyRun = () => {
    const [id] = readdirSync(join(ws, '.mmgrpo', 'runs'));
    return { id, dir: join(ws, '.mmgrpo', 'runs', id) };
  };

  it('--strategy p completes, evaluates the stage on val, writes result.json; apply writes the program state next to the task', async () => {
    const r = await cli(['optimize', task, '--strategy', 'p', ...smallP, ...fake], ws);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /instruction proposal skipped: the embedded model cannot write instructions; searching over demo sets only/);
    assert.match(r.stderr, /Val score after each stage\n {2}p1 /);
    const { id, dir } = onlyRun();
    const run = readRun(dir, isProcessAlive);
    assert.equal(run.status, 'completed');
    assert.deepEqual(closingEvals(run.events), ['p1']);
    assert.ok(run.events.some((e) => e.type === 'prompt_trial' && e.scope === 'minibatch'));
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    assert.equal(result.bestStage, 'p1');
    const applied = await cli(['apply', id], ws);
    assert.equal(applied.code, 0, applied.stderr);
    const out = join(ws, 'banking77', 'banking77.optimized.json');
    assert.equal(applied.stdout.trim(), out);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { ...result.programState, fromRun: id });
    // eval --run: the best program of a p-only run kept the starting weights, which no file holds.
    const noWeights = await cli(['eval', task, '--run', id], ws);
    assert.equal(noWeights.code, 2);
    assert.match(noWeights.stderr, /kept the starting weights, which are not saved on disk; evaluate its prompts against a server with --base-url/);
    const both = await cli(['eval', task, '--run', id, '--checkpoint', dir], ws);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /give --run or --checkpoint, not both/);
    const missing = await cli(['eval', task, '--run', 'no-such-run'], ws);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /no run "no-such-run" in .*See `mmgrpo runs list`/);
  });

  it('--strategy "p -> w" runs both stages in one run, evaluating after each', async () => {
    const r = await cli(['optimize', task, '--strategy', 'p -> w', ...smallP, ...smallW, ...fake, '--json'], ws);
    assert.equal(r.code, 0, r.stderr);
    const { dir } = onlyRun();
    const run = readRun(dir, isProcessAlive);
    assert.equal(run.status, 'completed');
    assert.deepEqual(closingEvals(run.events), ['p1', 'mmgrpo']);
    const summaries = run.events.flatMap((e) => (e.type === 'stage_summary' ? [e] : []));
    assert.deepEqual(summaries.map((s) => [s.stage, s.kind]), [['p1', 'p'], ['mmgrpo', 'w']]);
    // The weights stage trains the program p1 handed over (prompts frozen).
    assert.deepEqual(summaries[1].programState, summaries[0].programState);
    assert.ok(summaries[1].checkpointDir, 'the w stage names its best weights');
    assert.deepEqual(run.events.flatMap((e) => (e.type === 'step_finished' ? [e.step] : [])), [1, 2]);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    assert.equal(result.strategy, 'p -> w');
    assert.deepEqual(result.stages.map((s: { stage: string }) => s.stage), ['p1', 'mmgrpo']);
    const best = summaries.reduce((a, b) => (b.valScore > a.valScore ? b : a));
    assert.equal(result.bestScore, best.valScore);
  });

  it('--dry-run prints one row per stage and starts nothing', async () => {
    const r = await cli(['optimize', task, '--strategy', 'p -> w -> p', '--dry-run', '--trials', '4', '--steps', '10', '--price-prompt', '1', '--price-completion', '2'], ws);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n\s+p1\s+\d+\s+\d+\s+\d+\s+\d+\.\d{4}\n/);
    // MMGRPO as train --dry-run counts it: 640 rollout calls + 720 validation calls.
    assert.match(r.stdout, /\n\s+mmgrpo\s+1360\s/);
    assert.match(r.stdout, /\n\s+p2\s+\d+/);
    assert.match(r.stdout, /\n\s+total\s+\d+/);
    assert.equal(existsSync(join(ws, '.mmgrpo')), false);
  });

  it('rejects an unknown strategy and apply of a missing run, saying what to do', async () => {
    const bad = await cli(['optimize', task, '--strategy', 'w -> w'], ws);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown strategy "w -> w": use one of "p", "w", "p -> w", "w -> p", "p -> w -> p"/);
    const missing = await cli(['apply', 'nope'], ws);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no run "nope"/);
  });
});
