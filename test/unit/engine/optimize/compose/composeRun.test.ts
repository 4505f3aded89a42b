import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionOptions } from '../../../../../src/engine/optimize/mmgrpo/openSession';
import { resolveMMGRPOConfig } from '../../../../../src/engine/optimize/mmgrpo/config';
import { runComposition, type ComposeRunOptions } from '../../../../../src/engine/optimize/compose/composeRun';
import { isProcessAlive, readRun } from '../../../../../src/engine/runs';
import { composeOptions } from './helpers';

describe('runComposition (scripted session)', () => {
  let ws: string;
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'compose-'));
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  const options = (over: Partial<ComposeRunOptions> = {}, opened: SessionOptions[] = []) => composeOptions(ws, over, opened);

  it('strategy p: one stage, evaluated on val, best program in result.json', async () => {
    const opened: SessionOptions[] = [];
    const out = await runComposition(options({}, opened));
    assert.equal(out.status, 'completed');
    assert.equal(opened.length, 1);
    assert.equal(opened[0].initFrom, undefined, 'the run starts from the base model');
    assert.deepEqual(out.stages.map((s) => [s.stage, s.kind, s.valScore]), [['p1', 'p', 0.5]]);
    const result = JSON.parse(readFileSync(join(out.dir, 'result.json'), 'utf8'));
    assert.equal(result.bestStage, 'p1');
    assert.equal(result.bestScore, 0.5);
    assert.equal(result.strategy, 'p');
    assert.equal(result.programState.predictors.qa.demos.length, 1);
    const run = readRun(out.dir, isProcessAlive);
    assert.equal(run.manifest.kind, 'optimize');
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.events.filter((e) => e.type === 'stage_summary').map((e) => e.type === 'stage_summary' && e.stage), ['p1']);
    assert.equal(out.summary['p1/val'], 0.5);
  });

  it('a budget stop leaves the run resumable; resume redoes the unfinished p stage only', async () => {
    const first = await runComposition(options({ config: resolveMMGRPOConfig({ concurrency: 2, seed: 1, budgets: { maxLMCalls: 12 } }) }));
    assert.equal(first.status, 'cancelled');
    assert.match(first.reason!, /LM call budget reached .* during stage p1; it will be redone on resume/);
    assert.equal(existsSync(join(first.dir, 'result.json')), false);
    assert.equal(readRun(first.dir, isProcessAlive).status, 'cancelled');
    const second = await runComposition(options({ resumeDir: first.dir }));
    assert.equal(second.status, 'completed');
    assert.equal(second.runId, first.runId);
    const events = readRun(first.dir, isProcessAlive).events;
    assert.equal(events.filter((e) => e.type === 'stage_summary').length, 1);
    // A finished stage is never redone.
    const third = await runComposition(options({ resumeDir: first.dir }));
    assert.equal(third.status, 'completed');
    assert.equal(readRun(first.dir, isProcessAlive).events.filter((e) => e.type === 'stage_started').length, 2);
  });

  it('refuses an unknown strategy before starting anything', async () => {
    const opened: SessionOptions[] = [];
    await assert.rejects(runComposition(options({ strategy: 'p -> p' }, opened)), /Unknown strategy "p -> p"/);
    assert.equal(opened.length, 0);
    assert.equal(existsSync(join(ws, '.mmgrpo')), false);
  });
});
