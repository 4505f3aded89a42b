import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runComposition, type ComposeRunOptions } from '../../../../../src/engine/optimize/compose/composeRun';
import { compositionNeedsTrainer } from '../../../../../src/engine/optimize/compose/remoteInference';
import { resolvePromptSettings } from '../../../../../src/engine/optimize/compose/settings';
import { parseStrategy } from '../../../../../src/engine/optimize/compose/strategy';
import { ConfigError, resolveMMGRPOConfig } from '../../../../../src/engine/optimize/mmgrpo/config';
import type { SessionOptions } from '../../../../../src/engine/optimize/mmgrpo/openSession';
import { isProcessAlive, readRun } from '../../../../../src/engine/runs';
import { chatCompletion, FakeOpenAIServer, type FakeChatBody } from '../../../../fixtures/fakeOpenAIServer';
import { reply } from '../prompt/helpers';
import { composeOptions } from './helpers';

const SERVED = 'served-model';

/** Answers the QA program right (the question upper-cased) and proposals with a fixed instruction, in the marker format. */
function qaServer(): FakeOpenAIServer {
  const completion = (content: string) => chatCompletion(content, { model: SERVED, completionTokens: 3 });
  return new FakeOpenAIServer({
    model: SERVED,
    responder: (body: FakeChatBody) => {
      const last = body.messages?.at(-1)?.content ?? '';
      const field = /Respond with `\[\[ ## (\w+) ## \]\]`/.exec(last)?.[1] ?? 'answer';
      const question = /\[\[ ## question ## \]\]\s*([^\n]*)/.exec(last)?.[1] ?? '';
      const value = field === 'answer' ? question.toUpperCase() : 'Answer the question in capitals.';
      return { json: completion(reply(field, value)) };
    },
  });
}

describe('composed runs on a remote backend without a trainer', () => {
  let ws: string;
  let server: FakeOpenAIServer;
  let url: string;
  beforeEach(async () => {
    ws = mkdtempSync(join(tmpdir(), 'compose-remote-'));
    server = qaServer();
    url = await server.start();
  });
  afterEach(async () => {
    await server.close();
    rmSync(ws, { recursive: true, force: true });
  });

  /** A remote backend with inference only, resolved as `optimize --strategy p` resolves it. */
  /** A remote backend with inference only, resolved as `optimize --strategy p` resolves it. */
  function options(over: Partial<ComposeRunOptions> = {}, trainerSessions: SessionOptions[] = []): ComposeRunOptions {
    // Any trainer session opened here would be the bug: the scripted opener records the attempt in trainerSessions.
    return composeOptions(ws, {
      config: resolveMMGRPOConfig({ concurrency: 2, seed: 1, backend: { kind: 'remote', inferenceUrl: url, model: SERVED } }, { needsTrainer: false }),
      prompt: resolvePromptSettings({ trials: 4, minibatchSize: 4, fullEvalEvery: 2, maxDemos: 1, demoSets: 2, instructionCandidates: 1 }),
      ...over,
    }, trainerSessions);
  }

  it('strategy p runs on the inference server alone: no trainer session, every call to the served model', async () => {
    const trainerSessions: SessionOptions[] = [];
    const out = await runComposition(options({}, trainerSessions));
    assert.equal(out.status, 'completed');
    assert.equal(trainerSessions.length, 0, 'no trainer session was opened');
    assert.deepEqual(out.stages.map((s) => [s.stage, s.kind, s.valScore]), [['p1', 'p', 1]]);
    assert.ok(server.requests.length > 0);
    for (const r of server.requests) {
      assert.equal(r.method, 'POST');
      assert.match(r.url, /\/v1\/chat\/completions$/);
      assert.equal(r.body.model, SERVED);
    }
    assert.ok(server.requests.some((r) => r.body.messages!.some((m) => m.content.includes('Module to instruct:'))), 'the task model proposed instructions');
    const result = JSON.parse(readFileSync(join(out.dir, 'result.json'), 'utf8'));
    assert.equal(result.backend, 'remote');
    assert.equal(result.baseModel, SERVED);
    assert.equal(result.bestCheckpointDir, undefined, 'no weights: the served model as it is');
    assert.equal(readRun(out.dir, isProcessAlive).status, 'completed');
  });

  it('an unreachable inference server fails with a message naming --inference-url, before the run folder exists', async () => {
    await server.close();
    await assert.rejects(runComposition(options()), /Inference server of the remote backend: Cannot reach the LM server at http:\/\/127\.0\.0\.1:\d+\/v1 .*Check --inference-url and --model/);
    assert.equal(existsSync(join(ws, '.mmgrpo')), false, 'no run was recorded');
  });

  it('a model the server does not serve is named before any program runs', async () => {
    const config = resolveMMGRPOConfig({ backend: { kind: 'remote', inferenceUrl: url, model: 'other' } }, { needsTrainer: false });
    await assert.rejects(runComposition(options({ config })), /does not serve model 'other'\. It serves: served-model\. Check --inference-url and --model/);
    assert.equal(server.requests.length, 0);
  });

  for (const [what, over] of [
    ['strategy "p -> w"', { strategy: 'p -> w' }],
    ['a warm start', { warmStart: { epochs: 1, learningRate: 1e-3, batchSize: 16 } }],
  ] as const) {
    it(`${what} trains, so it still needs the trainer URL (clear error, nothing started)`, async () => {
      const trainerSessions: SessionOptions[] = [];
      await assert.rejects(runComposition(options(over, trainerSessions)), (e: Error) => e instanceof ConfigError && /backend\.kind "remote" needs backend\.trainerUrl \(e\.g\. .*--trainer-url/.test(e.message));
      assert.equal(trainerSessions.length, 0);
      assert.equal(server.requests.length, 0);
      assert.equal(existsSync(join(ws, '.mmgrpo')), false);
    });
  }
});

describe('which composed runs need a trainer', () => {
  const none = { warmStartEpochs: 0 };
  it('only those that train: a w stage, a warm start, or weights to load', () => {
    assert.equal(compositionNeedsTrainer(parseStrategy('p'), none), false);
    for (const s of ['w', 'p -> w', 'w -> p', 'p -> w -> p']) assert.equal(compositionNeedsTrainer(parseStrategy(s), none), true, s);
    assert.equal(compositionNeedsTrainer(parseStrategy('p'), { warmStartEpochs: 2 }), true);
    assert.equal(compositionNeedsTrainer(parseStrategy('p'), { warmStartEpochs: 0, initFrom: '/ckpt' }), true);
  });

  it('config: a remote backend may omit trainerUrl only when nothing trains; a given one must still be a URL', () => {
    const backend = { kind: 'remote' as const, inferenceUrl: 'http://a/v1', model: 'm' };
    assert.throws(() => resolveMMGRPOConfig({ backend }), /backend\.kind "remote" needs backend\.trainerUrl \(e\.g\. --inference-url .* --trainer-url .* --model/);
    assert.equal(resolveMMGRPOConfig({ backend }, { needsTrainer: false }).backend.trainerUrl, undefined);
    assert.throws(() => resolveMMGRPOConfig({ backend: { kind: 'remote', inferenceUrl: 'http://a/v1' } }, { needsTrainer: false }), /needs backend\.model \(e\.g\. --inference-url http:\/\/gpu-host:8000\/v1 --model Qwen\/Qwen3-8B\)/);
    assert.throws(() => resolveMMGRPOConfig({ backend: { ...backend, trainerUrl: 'ftp://x' } }, { needsTrainer: false }), /backend\.trainerUrl "ftp:\/\/x" is not an http\(s\) URL/);
    assert.throws(() => resolveMMGRPOConfig({ backend: { kind: 'remote', model: 'm' } }, { needsTrainer: false }), /needs backend\.inferenceUrl/);
  });
});
