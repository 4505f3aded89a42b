import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive, readRun } from '../../../src/engine/runs';
import { chatCompletion, FakeOpenAIServer, type FakeChatBody } from '../../fixtures/fakeOpenAIServer';
import { cliFromSource } from '../../fixtures/cliFromSource';
import { useExampleWithServer } from '../../fixtures/exampleWithServer';

const SERVED = 'served-model';
const smallP = ['--trials', '2', '--minibatch', '4', '--full-eval-every', '2', '--max-demos', '1', '--demo-sets', '2', '--bootstrap-threshold', '0.5', '--instruction-candidates', '1', '--concurrency', '4'];


const cli = cliFromSource;

/**
 * An OpenAI-compatible server for the banking77 program: module calls carry
 * guided_choice (the labels), answered with one of them picked from the
 * utterance; instruction proposals get a marker-format answer.
 */
function bankingServer(): FakeOpenAIServer {
  const completion = (content: string) => chatCompletion(content, { model: SERVED, promptTokens: 20, completionTokens: 2 });
  return new FakeOpenAIServer({
    model: SERVED,
    responder: (body: FakeChatBody) => {
      const last = body.messages?.at(-1)?.content ?? '';
      const choices = body.guided_choice as string[] | undefined;
      if (choices?.length) return { json: completion(choices[last.length % choices.length]) };
      const field = /Respond with `\[\[ ## (\w+) ## \]\]`/.exec(last)?.[1] ?? 'proposed_instruction';
      return { json: completion(`[[ ## ${field} ## ]]\nPick the label that fits the customer's message best.\n\n[[ ## completed ## ]]`) };
    },
  });
}

// Prompt optimization against a remote OpenAI-compatible server, as DSPy users run it: no trainer anywhere.
describe('mmgrpo optimize --strategy p --backend remote (CLI, fake OpenAI server, no trainer)', function () {
  this.timeout(180_000);
  const env = useExampleWithServer('optimize-remote-', bankingServer);

  const remote = () => ['--backend', 'remote', '--inference-url', env.url, '--model', SERVED];

  it('runs to completion with only --inference-url and --model; every request is a chat completion to that server', async () => {
    const r = await cli(['optimize', env.task, '--strategy', 'p', ...smallP, ...remote()], env.ws);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /instructions proposed by the task model served-model/);
    assert.match(r.stderr, /Val score after each stage\n {2}p1 /);
    assert.ok(env.server.requests.length > 0);
    for (const q of env.server.requests) {
      assert.match(q.url, /^\/v1\/chat\/completions$/);
      assert.equal(q.body.model, SERVED);
    }
    const [id] = readdirSync(join(env.ws, '.mmgrpo', 'runs'));
    const dir = join(env.ws, '.mmgrpo', 'runs', id);
    const run = readRun(dir, isProcessAlive);
    assert.equal(run.status, 'completed');
    assert.equal(run.events.some((e) => e.type === 'step_finished' || e.type === 'checkpoint_saved'), false, 'nothing trained');
    const closing = run.events.find((e) => e.type === 'eval_finished' && e.stage === 'p1' && e.step === undefined);
    assert.ok(closing && closing.type === 'eval_finished');
    assert.deepEqual([closing.count, closing.errors], [120, 0], 'every val example ran and its answers parsed');
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    assert.equal(result.bestStage, 'p1');
    assert.equal(result.backend, 'remote');
    assert.equal(result.baseModel, SERVED);
    assert.equal(existsSync(join(env.ws, '.mmgrpo', 'models')), false, 'no local model server was started');
  });

  it('--dry-run works without a trainer URL and contacts nobody', async () => {
    const r = await cli(['optimize', env.task, '--strategy', 'p', '--dry-run', ...remote()], env.ws);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n\s+p1\s+\d+/);
    assert.equal(env.server.requestCount, 0);
    assert.equal(existsSync(join(env.ws, '.mmgrpo')), false);
  });

  it('an unreachable inference server is a clear error, and no run is recorded', async () => {
    await env.server.close();
    const r = await cli(['optimize', env.task, '--strategy', 'p', ...smallP, ...remote()], env.ws);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Inference server of the remote backend: Cannot reach the LM server at http:\/\/127\.0\.0\.1:\d+\/v1 .*Check --inference-url and --model/);
    assert.doesNotMatch(r.stderr, /trainer/i);
    assert.equal(existsSync(join(env.ws, '.mmgrpo')), false);
  });

  it('a strategy with a w stage still requires --trainer-url, saying how to give it', async () => {
    for (const args of [['--strategy', 'p -> w'], ['--strategy', 'p -> w', '--dry-run'], ['--strategy', 'p', '--warm-start-epochs', '1']]) {
      const r = await cli(['optimize', env.task, ...args, ...remote()], env.ws);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /mmgrpo optimize: backend\.kind "remote" needs backend\.trainerUrl \(e\.g\. --inference-url http:\/\/gpu-host:8000\/v1 --trainer-url http:\/\/gpu-host:7453\/v1 --model Qwen\/Qwen3-8B\)/);
    }
    const train = await cli(['train', env.task, '--dry-run', ...remote()], env.ws);
    assert.equal(train.code, 2, 'train stays strict');
    assert.match(train.stderr, /needs backend\.trainerUrl/);
    assert.equal(env.server.requestCount, 0);
    assert.equal(existsSync(join(env.ws, '.mmgrpo')), false);
  });
});
