import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../../../../../src/protocol/events';
import { ChatAdapter } from '../../../../../src/engine/adapters';
import { runPromptStage } from '../../../../../src/engine/optimize/compose/promptStage';
import { resolvePromptSettings } from '../../../../../src/engine/optimize/compose/settings';
import { isProcessAlive, readRun } from '../../../../../src/engine/runs';
import { promptVersions } from '../../../../../src/engine/runs/runView';
import { QA, promptSensitiveLM, qaTask } from '../prompt/helpers';
import { writerFor } from './helpers';

const NOTICE = 'instruction proposal skipped: test; searching over demo sets only';

describe('runPromptStage (scripted LM)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pstage-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('improves the program with demo sets and records trials and lineage with parents', async () => {
    // The scripted LM answers right on even-numbered questions once the prompt carries a demo.
    const task = qaTask(new QA());
    const writer = writerFor(dir, task);
    const out = await runPromptStage({
      stage: 'p1', program: task.program.clone(), task, lm: promptSensitiveLM(), adapter: new ChatAdapter(),
      settings: resolvePromptSettings({ trials: 6, minibatchSize: 4, fullEvalEvery: 2, maxDemos: 1, demoSets: 3 }),
      valset: task.valset!, seed: 3, concurrency: 2, sampling: { temperature: 0 }, failureScore: 0,
      writer, parentVersion: 'start', instructionNotice: NOTICE,
    });
    writer.close();
    assert.equal(out.status, 'completed');
    assert.equal(out.valScore, 0.5, 'half of the val questions are even-numbered');
    assert.equal(out.state.predictors.qa.demos.length, 1);
    assert.equal(out.state.predictors.qa.instructions, 'Answer the question.', 'instructions are not searched');
    const events = readRun(join(dir, 'run'), isProcessAlive).events;
    const trials = events.filter((e): e is Extract<RunEvent, { type: 'prompt_trial' }> => e.type === 'prompt_trial');
    assert.equal(trials.filter((e) => e.scope === 'minibatch').length, 6);
    assert.ok(trials.some((e) => e.scope === 'full' && e.trial === 0 && e.candidateId === 'start' && e.score === 0));
    const accepted = events.filter((e): e is Extract<RunEvent, { type: 'prompt_candidate' }> => e.type === 'prompt_candidate');
    assert.ok(accepted.length >= 1);
    assert.equal(accepted[0].parent, 'start');
    accepted.slice(1).forEach((e, i) => assert.equal(e.parent, accepted[i].candidateId));
    assert.equal(accepted[accepted.length - 1].candidateId, out.version);
    assert.match(out.version, /^p1\/trial-\d+$/);
    assert.ok(events.some((e) => e.type === 'log' && e.message === NOTICE));
    const evals = events.filter((e) => e.type === 'eval_finished');
    assert.deepEqual(evals.map((e) => e.type === 'eval_finished' && [e.stage, e.split, e.score, e.count]), [['p1', 'val', 0.5, 8]]);
    const versions = promptVersions(readRun(join(dir, 'run'), isProcessAlive).manifest, events).qa;
    assert.deepEqual(versions.map((v) => v.parent), [undefined, 'start', ...accepted.slice(1).map((_, i) => accepted[i].candidateId)]);
    assert.equal(versions[versions.length - 1].score, 0.5);
  });

  it('stops as cancelled when its signal aborts, keeping the starting prompts', async () => {
    const task = qaTask(new QA());
    const writer = writerFor(dir, task);
    const controller = new AbortController();
    controller.abort();
    const out = await runPromptStage({
      stage: 'p1', program: task.program.clone(), task, lm: promptSensitiveLM(), adapter: new ChatAdapter(),
      settings: resolvePromptSettings({ trials: 4, minibatchSize: 4 }), valset: task.valset!, seed: 3, concurrency: 2,
      sampling: { temperature: 0 }, failureScore: 0, writer, parentVersion: 'start', instructionNotice: NOTICE, signal: controller.signal,
    });
    writer.close();
    assert.equal(out.status, 'cancelled');
    assert.deepEqual(out.state, task.program.saveState());
    assert.ok(!readRun(join(dir, 'run'), isProcessAlive).events.some((e) => e.type === 'stage_finished'));
  });
});
