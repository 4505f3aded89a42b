import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runComposition } from '../../../src/engine/optimize/compose';
import { resolvePromptSettings } from '../../../src/engine/optimize/compose/settings';
import { resolveMMGRPOConfig } from '../../../src/engine/optimize/mmgrpo/config';
import { isProcessAlive, readRun } from '../../../src/engine/runs';
import { loadTaskFile } from '../../../src/engine/tasks/loadTask';
import type { Task } from '../../../src/engine/tasks/types';
import type { RunEvent } from '../../../src/protocol/events';
import { cliFromSource } from '../../fixtures/cliFromSource';
import { LOCAL_TEST_MODEL } from '../../fixtures/localModel';

const root = resolve(__dirname, '..', '..', '..');

function events(stdout: string): RunEvent[] {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
}

/** Format failures: examples whose program raised (every parse failure does), over all examples. */
function formatFailures(evs: RunEvent[]): { errors: number; count: number } {
  const done = evs.find((e) => e.type === 'eval_finished');
  assert.ok(done && done.type === 'eval_finished', 'the evaluation finished');
  return { errors: done.errors, count: done.count };
}

// The real SmolLM2-135M-Instruct through `--backend local`: what a user gets
// from the bundled example and the README's program, and a prompt-optimization
// run whose instruction candidates the local model writes itself.
describe('runs on the local backend (real pretrained model)', function () {
  this.timeout(900_000);
  let ws: string;
  before(() => {
    ws = mkdtempSync(join(tmpdir(), 'local-runs-'));
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  for (const [name, file, limit] of [
    ['the bundled Banking77 example', join(root, 'examples', 'banking77', 'task.ts'), '24'],
    ["the README's program (Predict + ChainOfThought, JSON outputs by constrained decoding)", join(root, 'test', 'fixtures', 'tasks', 'readmeTriage', 'task.ts'), '8'],
  ] as const) {
    it(`evaluates ${name} with format failures under 5%`, async () => {
      const r = await cliFromSource(['eval', file, '--backend', 'local', '--model', LOCAL_TEST_MODEL, '--limit', limit, '--no-cache', '--json'], ws);
      assert.equal(r.code, 0, r.stderr);
      const evs = events(r.stdout);
      const { errors, count } = formatFailures(evs);
      assert.equal(count, Number(limit));
      assert.ok(errors / count < 0.05, `${errors} of ${count} examples failed: ${JSON.stringify(evs.find((e) => e.type === 'example_evaluated' && e.error))}`);
      const calls = evs.flatMap((e) => (e.type === 'example_evaluated' ? e.trace : []));
      assert.ok(calls.length >= count && calls.every((c) => c.model === LOCAL_TEST_MODEL), 'every call went to the local model');
    });
  }

  it('prompt optimization (p) completes and records instructions the local model proposed', async () => {
    const loaded = await loadTaskFile(join(root, 'examples', 'banking77', 'task.ts'));
    const task = { ...loaded.task, trainset: loaded.task.trainset.slice(0, 12), valset: loaded.task.valset!.slice(0, 6) } as Task;
    const out = await runComposition({
      task, taskFile: loaded.file, workspace: ws, strategy: 'p',
      config: resolveMMGRPOConfig({ seed: 1, concurrency: 8, backend: { kind: 'local', model: LOCAL_TEST_MODEL } }, { needsTrainer: false }),
      prompt: resolvePromptSettings({ trials: 2, minibatchSize: 4, fullEvalEvery: 2, maxDemos: 1, demoSets: 2, threshold: 0.5, instructionCandidates: 2 }),
      warmStart: { epochs: 0, learningRate: 1e-3, batchSize: 16 }, guidedChoice: true, adapter: 'chat',
    });
    assert.equal(out.status, 'completed', out.reason);
    const run = readRun(out.dir, isProcessAlive);
    const proposals = run.events.filter((e) => e.type === 'prompt_instructions');
    assert.deepEqual(proposals.map((e) => e.module).sort(), ['classify', 'triage']);
    for (const e of proposals) {
      assert.match(e.proposer, /task model/);
      const original = e.instructions[0];
      assert.ok(e.instructions.slice(1).some((i) => i.trim() !== '' && i !== original), `${e.module}: no new instruction among ${JSON.stringify(e.instructions)}`);
    }
    const calls = run.events.flatMap((e) => (e.type === 'example_evaluated' ? e.trace : []));
    assert.ok(calls.length > 0 && calls.every((c) => c.model === LOCAL_TEST_MODEL));
  });
});
