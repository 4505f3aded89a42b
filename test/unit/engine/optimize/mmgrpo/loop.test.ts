import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent, StepFinishedEvent } from '../../../../../src/protocol/events';
import { startEmbeddedServer, type EmbeddedServerHandle } from '../../../../../src/embedded/server';
import { ChatAdapter } from '../../../../../src/engine/adapters';
import { createLM } from '../../../../../src/engine/lm';
import { resolveMMGRPOConfig, type MMGRPOConfigInput } from '../../../../../src/engine/optimize/mmgrpo/config';
import { initializeRequest } from '../../../../../src/engine/optimize/mmgrpo/initRequest';
import { runMMGRPO, type MMGRPOResult } from '../../../../../src/engine/optimize/mmgrpo/loop';
import { resumePointOf } from '../../../../../src/engine/optimize/mmgrpo/resume';
import { Module, Predict, defineTask } from '../../../../../src/engine/sdk';
import { RunWriter, buildManifest, isProcessAlive, readRun } from '../../../../../src/engine/runs';
import { ArborTrainerClient } from '../../../../../src/engine/trainer';
import { FakeBackend } from '../../../../fixtures/fakeBackend';

// Logic under test (steps, events, resume, seeds), not learning: the trainer
// is our real server over HTTP, with a deterministic fake model behind it.
class Pick extends Module {
  first = new Predict("x -> a: Literal['p', 'q', 'r']");
  second = new Predict("x, a -> b: Literal['p', 'q']");
  async forward(input: { x: string }) {
    const { a } = await this.first.forward(input);
    return this.second.forward({ x: input.x, a });
  }
}

const task = defineTask({
  name: 'pick',
  program: new Pick(),
  inputs: ['x'],
  trainset: ['one', 'two', 'three', 'four', 'five'].map((x) => ({ x, b: 'q' })),
  valset: ['six', 'seven'].map((x) => ({ x, b: 'q' })),
  metric: (ex, pred) => (pred.b === ex.b ? 1 : 0),
});

describe('MMGRPO loop (fake model behind the real trainer protocol)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mmgrpo-loop-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function session(server: EmbeddedServerHandle, input: MMGRPOConfigInput) {
    const config = resolveMMGRPOConfig(input);
    const trainer = new ArborTrainerClient({ baseUrl: server.baseUrl, token: server.token });
    const status = await trainer.initialize(initializeRequest(config, 'tiny-fake', 'test', 256));
    const lm = createLM({ baseUrl: server.baseUrl, model: status.current_model, apiKey: server.token });
    const capabilities = await trainer.capabilities();
    return { config, s: { lm, trainer, jobId: status.job_id, model: status.current_model, capabilities }, usage: () => lm.usage.snapshot() };
  }

  async function train(runDir: string, input: MMGRPOConfigInput, opts: { abortAtRollout?: number; backend?: FakeBackend; teacher?: boolean } = {}): Promise<{ result: MMGRPOResult; backend: FakeBackend; events: RunEvent[] }> {
    const backend = opts.backend ?? new FakeBackend();
    const server = await startEmbeddedServer({ backend, checkpointRoot: join(dir, 'ckpt') });
    try {
      const { config, s, usage } = await session(server, input);
      const writer = readRunSafe(runDir) ? RunWriter.reopen(runDir) : RunWriter.create(runDir, buildManifest({ id: 'r', kind: 'train', taskName: 'pick', taskFile: 'x', seed: config.seed, config: {}, programStateBefore: task.program.saveState(), workspace: dir }));
      const controller = new AbortController();
      let rollouts = 0;
      writer.onEvent((e) => {
        if (e.type === 'progress' && e.stage === 'w' && ++rollouts === opts.abortAtRollout) controller.abort();
      });
      try {
        const resume = resumePointOf(readRun(runDir, isProcessAlive).events, 'w');
        // What the product's orchestrator does on resume: weights back to the last completed step.
        if (resume.lastCheckpointDir) await backend.loadCheckpoint(resume.lastCheckpointDir);
        const teachers = opts.teacher ? [{ name: 'teacher', program: task.program.clone(), lm: s.lm }] : undefined;
        const result = await runMMGRPO({ config, program: task.program.clone(), teachers, task, session: s, writer, stage: 'w', adapter: new ChatAdapter({ guidedChoice: true }), resume, signal: controller.signal, usage });
        return { result, backend, events: readRun(runDir, isProcessAlive).events };
      } finally {
        writer.close();
      }
    } finally {
      await server.close();
    }
  }

  const base: MMGRPOConfigInput = { steps: 3, examplesPerStep: 2, rolloutsPerExample: 4, valEvery: 2, seed: 11, concurrency: 4 };
  const finished = (events: RunEvent[]) => events.filter((e): e is StepFinishedEvent => e.type === 'step_finished');

  it('runs steps: validation at 0, every valEvery and the end; groups per module; sampled text sent verbatim', async () => {
    const { result, backend, events } = await train(join(dir, 'run'), base);
    assert.equal(result.status, 'completed');
    assert.deepEqual(finished(events).map((e) => e.step), [1, 2, 3]);
    assert.deepEqual(Object.keys(result.valScores).map(Number), [0, 2, 3]);
    const step1 = finished(events)[0];
    assert.deepEqual([...new Set(step1.groups.map((g) => g.module))], ['first', 'second']);
    assert.deepEqual(step1.modules.map((m) => m.module), ['first', 'second']);
    const rollouts = events.find((e) => e.type === 'rollouts' && e.step === 1);
    assert.ok(rollouts && rollouts.type === 'rollouts');
    assert.equal(rollouts.rollouts.length, 8);
    // Whatever reached the trainer is exactly what was sampled and sent.
    const sent = backend.record.steps.flatMap((s) => s.groups.flat());
    const sampled = new Set(events.flatMap((e) => (e.type === 'rollouts' ? e.rollouts.flatMap((r) => r.trace.map((c) => `${c.messages.at(-1)!.content}→${c.completion}`)) : [])));
    assert.ok(sent.length > 0);
    for (const m of sent) assert.ok(sampled.has(`${m.messages.at(-1)!.content}→${m.completion}`), 'trainer got a re-rendered completion');
    const trained = step1.groups.filter((g) => g.trained);
    assert.ok(trained.every((g) => !g.zeroVariance && g.members.some((m) => m.advantage !== 0)));
  });

  it('sends the trainer exactly the groups with reward variance, each member with its rollout\'s reward and advantage', async () => {
    const { backend, events } = await train(join(dir, 'sent'), base);
    const steps = finished(events);
    assert.equal(backend.record.steps.length, steps.length, 'one trainer step per loop step (every step has a group with signal)');
    let zeroVarianceSeen = 0;
    steps.forEach((step, i) => {
      const rolloutEvent = events.find((e) => e.type === 'rollouts' && e.step === step.step);
      assert.ok(rolloutEvent && rolloutEvent.type === 'rollouts');
      // Recomputed here from the rollouts, not taken from the loop's own records.
      const expected = step.groups.flatMap((g) => {
        const members = g.members.map((m) => {
          const r = rolloutEvent.rollouts.find((x) => x.exampleIndex === g.exampleIndex && x.rolloutIndex === m.rolloutIndex)!;
          const c = r.trace[m.callIndex];
          assert.equal(c.module, g.module, 'the member points at a call of its module');
          return { prompt: c.messages, completion: c.completion, reward: r.reward };
        });
        const rewards = members.map((m) => m.reward);
        if (rewards.every((r) => r === rewards[0])) {
          zeroVarianceSeen++;
          return [];
        }
        const mu = rewards.reduce((a, b) => a + b, 0) / rewards.length;
        const sd = Math.sqrt(rewards.reduce((a, r) => a + (r - mu) ** 2, 0) / (rewards.length - 1));
        return [members.map((m) => ({ ...m, advantage: (m.reward - mu) / (sd + 1e-4) }))];
      });
      const sent = backend.record.steps[i].groups.map((g) => g.map((m) => ({ prompt: m.messages, completion: m.completion, reward: m.reward, advantage: m.advantage })));
      assert.equal(sent.length, expected.length, `step ${step.step}: groups sent`);
      sent.forEach((g, j) => {
        assert.deepEqual(g.map(({ advantage, ...rest }) => rest), expected[j].map(({ advantage, ...rest }) => rest), `step ${step.step} group ${j}`);
        g.forEach((m, k) => assert.ok(Math.abs(m.advantage! - expected[j][k].advantage) < 1e-9, `step ${step.step} group ${j} member ${k}: advantage ${m.advantage} != ${expected[j][k].advantage}`));
      });
    });
    assert.ok(zeroVarianceSeen > 0, 'the run has zero-variance groups to leave out');
  });

  it('is deterministic for a seed: the same groups come out', async () => {
    const a = await train(join(dir, 'a'), base);
    const b = await train(join(dir, 'b'), base);
    const strip = (events: RunEvent[]) => finished(events).map((e) => JSON.stringify(e.groups));
    assert.deepEqual(strip(a.events), strip(b.events));
    const c = await train(join(dir, 'c'), { ...base, seed: 12 });
    assert.notDeepEqual(strip(a.events), strip(c.events));
  });

  it('cancels within a rollout batch and resumes without losing or repeating a step', async () => {
    const runDir = join(dir, 'resume');
    const first = await train(runDir, base, { abortAtRollout: 12 }); // inside step 2 (8 rollouts per step)
    assert.equal(first.result.status, 'cancelled');
    assert.deepEqual(finished(first.events).map((e) => e.step), [1]);
    const second = await train(runDir, base);
    assert.equal(second.result.status, 'completed');
    assert.deepEqual(finished(second.events).map((e) => e.step), [1, 2, 3], 'every step exactly once');
    const uninterrupted = await train(join(dir, 'straight'), base);
    const groupsByStep = (events: RunEvent[]) => finished(events).map((e) => JSON.stringify(e.groups));
    assert.deepEqual(groupsByStep(second.events), groupsByStep(uninterrupted.events), 'resumed = uninterrupted, group for group');
  });

  it('splits each input\'s rollouts between the student and a teacher program', async () => {
    const { events } = await train(join(dir, 'teach'), { ...base, steps: 1 }, { teacher: true });
    const r = events.find((e) => e.type === 'rollouts');
    assert.ok(r && r.type === 'rollouts');
    assert.deepEqual(r.rollouts.filter((x) => x.exampleIndex === 0).map((x) => x.teacher), ['student', 'teacher', 'student', 'teacher']);
  });

  it('stops cleanly at a budget, leaving a resumable run', async () => {
    const { result, events } = await train(join(dir, 'budget'), { ...base, budgets: { maxLMCalls: 20 } });
    assert.equal(result.status, 'budget');
    assert.match(result.reason!, /LM call budget reached/);
    assert.ok(finished(events).length < 3);
  });
});

function readRunSafe(runDir: string): boolean {
  try {
    readRun(runDir, isProcessAlive);
    return true;
  } catch {
    return false;
  }
}
