import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../../../src/protocol/events';
import { APPLY_HELP, checkOverwrite } from '../../../src/cli/commands/applyCommand';
import { EVAL_HELP, evalCommand } from '../../../src/cli/commands/evalCommand';
import { MODELS_HELP } from '../../../src/cli/commands/modelsCommand';
import { OPTIMIZE_HELP } from '../../../src/cli/commands/optimizeCommand';
import { REPORT_HELP } from '../../../src/cli/commands/reportCommand';
import { describeRun, RUNS_HELP, RUNS_LIST_HELP, RUNS_SHOW_HELP, runsCommand } from '../../../src/cli/commands/runsCommand';
import { SERVE_HELP } from '../../../src/cli/commands/serveCommand';
import { TRAIN_HELP } from '../../../src/cli/commands/trainCommand';
import { warmStartFromFlags } from '../../../src/cli/trainingFlags';
import { UsageError } from '../../../src/cli/errors';
import { MMGRPO_DEFAULTS } from '../../../src/engine/optimize/mmgrpo/config';
import { demoSetsMessage } from '../../../src/engine/optimize/compose/promptStage';
import type { RunRead } from '../../../src/engine/runs';

const HELPS = { APPLY_HELP, EVAL_HELP, MODELS_HELP, OPTIMIZE_HELP, REPORT_HELP, RUNS_HELP, RUNS_LIST_HELP, RUNS_SHOW_HELP, SERVE_HELP, TRAIN_HELP };

/** The bracketed default of a flag in a help text. */
function helpDefault(help: string, flag: string): string | undefined {
  return new RegExp(`^\\s+${flag}\\b[^\\n]*\\[([^\\]]+)\\]`, 'm').exec(help)?.[1];
}

async function captureStdout(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    return { code: await run(), out };
  } finally {
    process.stdout.write = write;
  }
}

describe('CLI help and small outputs (issue 17 item 14)', () => {
  it('train --help: warm start is off by default, as the code is, and the bracketed defaults are the code\'s', () => {
    assert.doesNotMatch(TRAIN_HELP, /warm-started on labeled module calls, then/);
    assert.match(TRAIN_HELP, /off by\s+default/);
    assert.equal(helpDefault(TRAIN_HELP, '--warm-start-epochs'), String(warmStartFromFlags('train', {}).epochs));
    assert.equal(Number(helpDefault(TRAIN_HELP, '--warm-start-lr')), warmStartFromFlags('train', {}).learningRate);
    const d = MMGRPO_DEFAULTS;
    const expected: Record<string, number | string> = {
      '--steps': d.steps, '--examples-per-step': d.examplesPerStep, '--rollouts': d.rolloutsPerExample, '--concurrency': d.concurrency, '--seed': d.seed,
      '--val-every': d.valEvery, '--grouping': d.groupingMode, '--max-tokens': d.maxTokens, '--loss': d.trainer.lossType, '--lr': d.trainer.learningRate,
      '--beta': d.trainer.beta, '--iterations': d.trainer.numIterations, '--backend': d.backend.kind,
    };
    for (const [flag, value] of Object.entries(expected)) {
      const shown = helpDefault(TRAIN_HELP, flag);
      assert.ok(shown === String(value) || Number(shown) === value, `${flag}: help says [${shown}], code uses ${value}`);
    }
  });

  it('every command writes defaults one way: [value], never "(default: value)"', () => {
    for (const [name, text] of Object.entries(HELPS)) assert.doesNotMatch(text, /\(default[:)]|\bdefault: /, name);
  });

  it('runs list --help and runs show --help print their own help', async () => {
    assert.deepEqual(await captureStdout(() => runsCommand(['list', '--help'])), { code: 0, out: RUNS_LIST_HELP + '\n' });
    assert.deepEqual(await captureStdout(() => runsCommand(['show', '--help'])), { code: 0, out: RUNS_SHOW_HELP + '\n' });
    assert.deepEqual(await captureStdout(() => runsCommand(['--help'])), { code: 0, out: RUNS_HELP + '\n' });
  });

  it('runs show labels each val score line with its stage and step', () => {
    const base = { v: 1, seq: 0, ts: 't' };
    const evals: RunEvent[] = [0, 5].map((step) => ({ ...base, type: 'eval_finished', stage: 'mmgrpo', step, split: 'val', score: step / 10, count: 10, errors: 0 }));
    evals.push({ ...base, type: 'eval_finished', stage: 'p1', split: 'val', score: 0.25, count: 10, errors: 0 });
    const run = { manifest: { id: 'r', kind: 'train', taskName: 't', taskFile: 't.ts', createdAt: 'c', seed: 0, engineVersion: 'e', programStateBefore: { version: 1, predictors: {} } }, status: 'completed', events: evals, tornTail: false } as unknown as RunRead;
    const lines = describeRun(run).split('\n').filter((l) => l.includes('val score'));
    assert.deepEqual(lines.map((l) => l.trim().replace(/\s+/g, ' ')), ['mmgrpo step 0 val score 0.0% (10 examples, 0 errors)', 'mmgrpo step 5 val score 50.0% (10 examples, 0 errors)', 'p1 val score 25.0% (10 examples, 0 errors)']);
  });

  it('optimize names each module beside its count of demo sets (not "2/1 candidate demo sets")', () => {
    const msg = demoSetsMessage('p1', { tracesPassed: 3, tracesRun: 8 }, { 'triage.category': [[], [{}]], 'triage.answer': [[]] });
    assert.equal(msg, 'p1: 3 of 8 teacher runs passed; candidate demo sets (the empty set included): triage.category 2, triage.answer 1.');
  });

  describe('apply keeps a file written from another run unless --force', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'apply-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('B57 apply over a file written from another run (or by hand): refused unless --force; its own file, a new file and --force are fine', () => {
      const out = join(dir, 'task.optimized.json');
      checkOverwrite(out, 'run-b', false); // no file yet
      writeFileSync(out, JSON.stringify({ version: 1, predictors: {}, fromRun: 'run-a' }));
      assert.throws(() => checkOverwrite(out, 'run-b', false), (e: unknown) => e instanceof UsageError && e.message === `mmgrpo apply: ${out} was written from run run-a; overwrite it with \`mmgrpo apply run-b --force\`, or move it away first.`);
      checkOverwrite(out, 'run-a', false);
      checkOverwrite(out, 'run-b', true);
      writeFileSync(out, '{"version": 1, "predictors": {}}');
      assert.throws(() => checkOverwrite(out, 'run-b', false), /was not written by `mmgrpo apply`; overwrite it with/);
    });
  });

  it('eval accepts --no-guided-choice, the flag the README gave OpenAI users', async () => {
    const r = await captureStdout(() => evalCommand(['--no-guided-choice', '--help']));
    assert.equal(r.code, 0);
  });
});
