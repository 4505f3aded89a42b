import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../../../src/protocol/events';
import { startEmbeddedServer, type EmbeddedServerHandle } from '../../../src/embedded/server';
import { runEvaluation } from '../../../src/engine/evaluate/evalRun';
import { resolveMMGRPOConfig } from '../../../src/engine/optimize/mmgrpo/config';
import { initializeRequest } from '../../../src/engine/optimize/mmgrpo/initRequest';
import { runMMGRPO } from '../../../src/engine/optimize/mmgrpo/loop';
import { RunWriter, buildManifest, isProcessAlive, readRun } from '../../../src/engine/runs';
import { ArborTrainerClient } from '../../../src/engine/trainer';
import { FakeBackend } from '../../fixtures/fakeBackend';
import { FAULT_KINDS, FaultProxy } from '../../fixtures/faultProxy';
import { CLIENT, chatOnly, checkAccounting, faultProxy, faultTask, guided, proxiedLM, type Report, type Unit } from './faultHarness';

function show(label: string, r: Report): void {
  const kinds = FAULT_KINDS.map((k) => `${k}=${r.stats.injected[k]}`).join(' ');
  console.log(`      ${label}: ${r.stats.requests} requests, ${r.stats.passed} intact; injected ${kinds}; retries ${r.retries} (${r.savedByRetry} saved a call); failed units ${r.failed} (${r.exhausted} out of retries)`);
}

describe('reliability: runs survive an LM server that misbehaves', function () {
  // Bounded: a hang anywhere fails the test instead of stalling the suite.
  this.timeout(30_000);
  let dir: string;
  let server: EmbeddedServerHandle;
  let proxy: FaultProxy | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faults-'));
    server = await startEmbeddedServer({ backend: new FakeBackend(), checkpointRoot: join(dir, 'ckpt') });
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('evaluation: every example is a success or a scored failure, and the counts add up', async () => {
    proxy = faultProxy(server.baseUrl, 7);
    const lm = proxiedLM(await proxy.start(), 'tiny-fake', server.token);
    // A live signal makes the client abort timed-out requests, so the proxy sees them.
    const live = new AbortController();
    const out = await runEvaluation({
      task: faultTask, taskFile: 'faults.ts', workspace: dir, runsDir: join(dir, 'runs'), lm, split: 'train',
      concurrency: 4, seed: 1, adapter: guided(), config: {}, signal: live.signal, usage: () => lm.usage.snapshot(),
    });
    assert.equal(out.status, 'completed');
    const n = faultTask.trainset.length;
    const units: Unit[] = out.result.results;
    const report = checkAccounting(units, n, 0, proxy, lm);
    show('eval', report);
    assert.equal(out.result.errors, report.failed);
    assert.ok(report.stats.requests > 2 * n, 'faults caused extra requests');
    for (const k of FAULT_KINDS) assert.ok(report.stats.injected[k] > 0, `seed 7 injects some ${k}`);
    // The run store agrees with the in-memory result.
    const events = readRun(out.dir, isProcessAlive).events;
    const recorded = events.filter((e) => e.type === 'example_evaluated');
    assert.equal(recorded.length, n);
    assert.equal(recorded.filter((e) => e.type === 'example_evaluated' && e.error !== undefined).length, report.failed);
    const finished = events.find((e) => e.type === 'eval_finished');
    assert.ok(finished && finished.type === 'eval_finished' && finished.count === n && finished.errors === report.failed);
    const usage = events.find((e) => e.type === 'usage');
    assert.ok(usage && usage.type === 'usage' && usage.retries === report.retries, 'the run records the retries');
  });

  it('evaluation against a server that always fails: every example fails with the final error, after all retries', async () => {
    proxy = new FaultProxy({ target: server.baseUrl, rates: { server_error: 1 }, seed: 2, injectOn: chatOnly });
    const lm = proxiedLM(await proxy.start(), 'tiny-fake', server.token);
    const out = await runEvaluation({
      task: faultTask, taskFile: 'faults.ts', workspace: dir, runsDir: join(dir, 'runs'), lm, split: 'train', limit: 5,
      concurrency: 4, seed: 1, adapter: guided(), config: {}, signal: new AbortController().signal, usage: () => lm.usage.snapshot(),
    });
    assert.equal(out.status, 'completed', 'a dead server fails examples, not the run');
    const report = checkAccounting(out.result.results, 5, 0, proxy, lm);
    assert.equal(report.exhausted, 5);
    assert.equal(report.retries, 5 * CLIENT.maxRetries);
    assert.equal(report.stats.requests, 5 * (CLIENT.maxRetries + 1));
    assert.match(out.result.results[0].error!, /^The LM server at http:\/\/127\.0\.0\.1:\d+\/v1 failed with HTTP 50[023] after 5 attempts: injected 50[023]\. Check the server's logs\.$/);
  });

  it('MMGRPO training: every rollout is kept and scored, steps complete, trainer untouched by faults', async () => {
    proxy = faultProxy(server.baseUrl, 1);
    const config = resolveMMGRPOConfig({ steps: 3, examplesPerStep: 3, rolloutsPerExample: 4, valEvery: 2, seed: 5, concurrency: 4, failureScore: 0, formatFailureScore: -1 });
    // Trainer calls go direct: a step is not idempotent, so it must never be duplicated by a fault.
    const trainer = new ArborTrainerClient({ baseUrl: server.baseUrl, token: server.token });
    const status = await trainer.initialize(initializeRequest(config, 'tiny-fake', 'faults', 256));
    const lm = proxiedLM(await proxy.start(), status.current_model, server.token);
    const session = { lm, trainer, jobId: status.job_id, model: status.current_model, capabilities: await trainer.capabilities() };
    const runDir = join(dir, 'run');
    const writer = RunWriter.create(runDir, buildManifest({ id: 'r', kind: 'train', taskName: 'faults', taskFile: 'x', seed: config.seed, config: {}, programStateBefore: faultTask.program.saveState(), workspace: dir }));
    let events: RunEvent[];
    try {
      const live = new AbortController();
      const result = await runMMGRPO({ config, program: faultTask.program.clone(), task: faultTask, session, writer, stage: 'w', adapter: guided(), signal: live.signal, usage: () => lm.usage.snapshot() });
      assert.equal(result.status, 'completed');
      assert.equal(result.lastStep, 3);
      events = readRun(runDir, isProcessAlive).events;
    } finally {
      writer.close();
    }
    const rolloutEvents = events.filter((e) => e.type === 'rollouts');
    assert.deepEqual(rolloutEvents.map((e) => e.type === 'rollouts' && e.step), [1, 2, 3]);
    const rollouts = rolloutEvents.flatMap((e) => (e.type === 'rollouts' ? e.rollouts : []));
    for (const r of rollouts) {
      assert.ok(r.rewardKind === 'metric' ? r.error === undefined : r.rewardKind === 'failure' && r.error !== undefined, `rollout kind ${r.rewardKind} / ${r.error}`);
    }
    const vals = events.filter((e) => e.type === 'example_evaluated');
    assert.equal(vals.length, faultTask.valset!.length * 3, 'validation at steps 0, 2, 3');
    const units: Unit[] = [
      ...rollouts.map((r) => ({ score: r.reward, error: r.error })),
      ...vals.map((e) => (e.type === 'example_evaluated' ? { score: e.score, error: e.error } : { score: NaN })),
    ];
    const report = checkAccounting(units, 3 * 3 * 4 + faultTask.valset!.length * 3, 0, proxy, lm);
    show('mmgrpo', report);
    for (const k of FAULT_KINDS) assert.ok(report.stats.injected[k] > 0, `seed 1 injects some ${k}`);
    assert.ok(report.failed > 0, 'some rollouts or validation examples failed and were scored');
    // Per-step counts in step_finished agree with the rollouts themselves.
    for (const e of events) {
      if (e.type !== 'step_finished') continue;
      const own = rolloutEvents.find((r) => r.type === 'rollouts' && r.step === e.step);
      const list = own && own.type === 'rollouts' ? own.rollouts : [];
      assert.equal(e.rollouts.total, 12);
      assert.equal(e.rollouts.failures, list.filter((r) => r.rewardKind === 'failure').length);
      assert.equal(e.rollouts.formatFailures, 0);
    }
    assert.equal(proxy.log.filter((l) => !l.path.endsWith('/chat/completions')).length, 0, 'trainer traffic bypassed the proxy');
  });
});
