import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageSummaryEvent } from '../../../../../src/protocol/events';
import { startEmbeddedServer } from '../../../../../src/embedded/server';
import { runComposition } from '../../../../../src/engine/optimize/compose/composeRun';
import { resolveMMGRPOConfig } from '../../../../../src/engine/optimize/mmgrpo/config';
import { initializeRequest } from '../../../../../src/engine/optimize/mmgrpo/initRequest';
import type { OpenedSession, SessionOptions } from '../../../../../src/engine/optimize/mmgrpo/openSession';
import { CountingLM } from '../../../../../src/engine/optimize/prompt/budget';
import { isProcessAlive, readRun } from '../../../../../src/engine/runs';
import { ArborTrainerClient } from '../../../../../src/engine/trainer';
import { FakeBackend } from '../../../../fixtures/fakeBackend';
import { ScriptedLM } from '../../../../fixtures/scriptedLM';
import { fieldOf, promptSensitiveLM, reply } from '../prompt/helpers';
import { composeOptions } from './helpers';

// Orchestration of the compositions that train weights (w -> p, p -> w -> p): which program and
// which weights each stage starts from. Logic, not learning: a scripted LM answers, the trainer is
// our real server (in-process) with a fake model, so a run takes a second.

interface Served {
  options: SessionOptions;
  lm: CountingLM;
  backend: FakeBackend;
}

/**
 * Rollouts (sampled, temperature > 0) are right on even seeds, so groups have reward variance and
 * reach the trainer; greedy calls (p stages, validation) follow the prompt-sensitive script.
 */
function rolloutAwareLM(): ScriptedLM {
  const greedy = promptSensitiveLM();
  return new ScriptedLM(async (req, i, c) => {
    if ((req.temperature ?? 0) === 0) return (await greedy.complete(req)).choices[0].text;
    const q = fieldOf(req, 'question');
    return reply('answer', ((req.seed ?? 0) + c) % 2 === 0 ? q.toUpperCase() : 'wrong');
  });
}

function inProcessOpener(dir: string, served: Served[]) {
  return async (options: SessionOptions): Promise<OpenedSession> => {
    const backend = new FakeBackend();
    // Like the real model: a session opened on a checkpoint serves those weights.
    if (options.initFrom) await backend.loadCheckpoint(options.initFrom);
    const server = await startEmbeddedServer({ backend, checkpointRoot: join(dir, 'ckpt', String(served.length)) });
    const trainer = new ArborTrainerClient({ baseUrl: server.baseUrl, token: server.token });
    const status = await trainer.initialize(initializeRequest(options.config, 'tiny-fake', options.runName, 256));
    const lm = new CountingLM(rolloutAwareLM());
    served.push({ options, lm, backend });
    return {
      session: { lm, trainer, jobId: status.job_id, model: status.current_model, capabilities: await trainer.capabilities() },
      baseModel: 'tiny-fake',
      usage: () => ({ ...lm.reading(), cachedCalls: 0, retries: 0 }),
      close: () => server.close(),
    };
  };
}

describe('runComposition with weight stages (in-process fake trainer)', function () {
  this.timeout(60_000);
  let ws: string;
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'compose-w-'));
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  async function compose(strategy: string) {
    const served: Served[] = [];
    const out = await runComposition(composeOptions(ws, {
      strategy,
      config: resolveMMGRPOConfig({ concurrency: 2, seed: 3, steps: 2, examplesPerStep: 2, rolloutsPerExample: 4, valEvery: 1 }),
      openSession: inProcessOpener(ws, served),
    }));
    const run = readRun(out.dir, isProcessAlive);
    const summaries = run.events.filter((e): e is StageSummaryEvent => e.type === 'stage_summary');
    return { out, run, summaries, served };
  }

  it('w -> p: MMGRPO trains the starting program, then the p stage searches prompts on the best trained weights', async () => {
    const { out, run, summaries, served } = await compose('w -> p');
    assert.equal(out.status, 'completed', out.reason);
    assert.deepEqual(summaries.map((s) => [s.stage, s.kind]), [['mmgrpo', 'w'], ['p1', 'p']]);
    const [w, p] = summaries;
    assert.deepEqual(w.programState, run.manifest.programStateBefore, 'w trains with the starting prompts, frozen');
    assert.deepEqual(run.events.flatMap((e) => (e.type === 'step_finished' ? [e.step] : [])), [1, 2]);
    assert.ok(served[0].backend.record.steps.length > 0, 'groups reached the trainer');
    assert.ok(w.checkpointDir, 'the w stage names its best weights');
    // The p stage runs on exactly those weights: the session serving it was opened on them.
    assert.equal(served[0].options.initFrom, undefined, 'the w stage starts from the starting model');
    // (With a scripted LM val never improves, so the best weights are step 0's, not the last step's: the holder must reopen.)
    assert.notEqual(w.checkpointDir, lastStepCheckpoint(run.events, 'mmgrpo'));
    assert.deepEqual(served.map((s) => s.options.initFrom), [undefined, w.checkpointDir], 'p1 is served the w stage\'s best weights');
    assert.ok(served[1].lm.reading().calls > 0, 'and p1\'s calls went there');
    assert.equal(p.checkpointDir, w.checkpointDir, 'the p stage\'s program carries those weights');
    const result = JSON.parse(readFileSync(join(out.dir, 'result.json'), 'utf8'));
    assert.equal(result.strategy, 'w -> p');
    const best = summaries.reduce((a, b) => (b.valScore > a.valScore ? b : a));
    assert.deepEqual([result.bestStage, result.bestScore, result.bestCheckpointDir], [best.stage, best.valScore, best.checkpointDir]);
  });

  it('p -> w -> p: each stage starts from the program and weights the previous one handed over', async () => {
    const { out, run, summaries, served } = await compose('p -> w -> p');
    assert.equal(out.status, 'completed', out.reason);
    assert.deepEqual(summaries.map((s) => [s.stage, s.kind]), [['p1', 'p'], ['mmgrpo', 'w'], ['p2', 'p']]);
    const [p1, w, p2] = summaries;
    assert.equal(p1.checkpointDir, undefined, 'p1 runs on the starting model');
    assert.equal(served[0].options.initFrom, undefined);
    assert.notDeepEqual(p1.programState, run.manifest.programStateBefore, 'p1 changed the prompts (so the hand-over below is visible)');
    assert.deepEqual(w.programState, p1.programState, 'w trains p1\'s program with its prompts frozen');
    assert.equal(w.promptVersion, p1.promptVersion);
    assert.ok(w.checkpointDir);
    assert.deepEqual(served.map((s) => s.options.initFrom), [undefined, w.checkpointDir], 'p2 is served the w stage\'s best weights');
    assert.ok(served[1].lm.reading().calls > 0, 'and p2\'s calls went there');
    assert.equal(p2.checkpointDir, w.checkpointDir);
    // p2's search starts from w's program: its baseline is the version w handed over, scoring what p1 scored
    // (the starting prompts score lower, so a p2 that started from them would show).
    const baseline = (stage: string) => run.events.find((e) => e.type === 'prompt_trial' && e.stage === stage && e.scope === 'full');
    const start = baseline('p1');
    const p2Start = baseline('p2');
    assert.ok(start?.type === 'prompt_trial' && p2Start?.type === 'prompt_trial');
    assert.deepEqual([start.candidateId, p2Start.candidateId], ['start', w.promptVersion]);
    assert.ok(start.score < p1.valScore, `the starting prompts score lower (${start.score} vs ${p1.valScore})`);
    assert.equal(p2Start.score, p1.valScore);
    assert.deepEqual(run.events.filter((e) => e.type === 'stage_started').map((e) => e.type === 'stage_started' && e.stage), ['p1', 'mmgrpo', 'p2']);
  });
});

/** The checkpoint of a stage's last step (the weights a session still serves when it was not reopened). */
function lastStepCheckpoint(events: readonly { type: string }[], stage: string): string | undefined {
  let dir: string | undefined;
  for (const e of events as Array<{ type: string; stage?: string; checkpointDir?: string }>) if (e.type === 'step_finished' && e.stage === stage) dir = e.checkpointDir;
  return dir;
}
