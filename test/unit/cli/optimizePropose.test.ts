import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunEvent } from '../../../src/protocol/events';
import { isProcessAlive, readRun } from '../../../src/engine/runs';
import { chatCompletion, FakeOpenAIServer } from '../../fixtures/fakeOpenAIServer';
import { cliFromSource } from '../../fixtures/cliFromSource';
import { useExampleWithServer } from '../../fixtures/exampleWithServer';

const root = resolve(__dirname, '..', '..', '..');
const fake = ['--backend-module', join(root, 'test', 'fixtures', 'fakeBackend.ts')];
const smallP = ['--trials', '4', '--minibatch', '4', '--full-eval-every', '2', '--max-demos', '1', '--demo-sets', '2', '--bootstrap-threshold', '0.5'];
const SECRET = 'sk-prompt-secret-4242';


const cli = cliFromSource;

/** Proposals in the requested format, numbered so every answer is new. */
function promptServer(): FakeOpenAIServer {
  let k = 0;
  return new FakeOpenAIServer({
    model: 'writer',
    responder: () => {
      k++;
      const text = `[[ ## proposed_instruction ## ]]\nRead the customer message closely and choose the best label (idea ${k}).\n\n[[ ## completed ## ]]`;
      return { json: chatCompletion(text, { model: 'writer', promptTokens: 50, completionTokens: 20 }) };
    },
  });
}

// The embedded (fake) model runs the program; a fake OpenAI-compatible server on 127.0.0.1 is the prompt model.
describe('mmgrpo optimize --prompt-model (CLI, fake models)', function () {
  this.timeout(180_000);
  const env = useExampleWithServer('optimize-propose-', promptServer);

  it('proposes instructions per module with the prompt model; the search tries them; the key stays off disk', async () => {
    const r = await cli(['optimize', env.task, '--strategy', 'p', ...smallP, ...fake, '--prompt-model', 'writer', '--prompt-base-url', env.url, '--instruction-candidates', '2'], env.ws, { MMGRPO_PROMPT_API_KEY: SECRET });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /instructions proposed by prompt model writer at http:\/\/127\.0\.0\.1:\d+\/v1: 2 candidate\(s\) per module/);
    assert.equal(env.server.requests.length, 4, '2 modules x 2 candidates');
    for (const q of env.server.requests) {
      assert.equal(q.body.model, 'writer');
      assert.equal(q.body.temperature, 1);
      assert.equal(q.headers.authorization, `Bearer ${SECRET}`);
      assert.match(q.body.messages!.at(-1)!.content, /triage -> classify/, 'the program summary shows the call order');
    }
    const [id] = readdirSync(join(env.ws, '.mmgrpo', 'runs'));
    const dir = join(env.ws, '.mmgrpo', 'runs', id);
    const run = readRun(dir, isProcessAlive);
    assert.equal(run.status, 'completed');
    const logs = run.events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    for (const module of ['triage', 'classify']) {
      assert.ok(logs.some((m) => new RegExp(`^p1: instruction candidates for ${module}: \\[0\\] current, \\[1\\] "Read the customer message closely .*\\(idea \\d\\)\\." \\[2\\] "Read`).test(m)), logs.join('\n'));
    }
    // The panel's candidate lists: one event per module, current instruction first.
    const lists = run.events.flatMap((e) => (e.type === 'prompt_instructions' ? [e] : []));
    assert.deepEqual(lists.map((e) => [e.stage, e.module, e.instructions.length]).sort(), [['p1', 'classify', 3], ['p1', 'triage', 3]]);
    assert.equal(lists[0]!.proposer, 'prompt model writer');
    const trials = run.events.flatMap((e) => (e.type === 'prompt_trial' && e.params ? [e.params] : []));
    assert.ok(trials.some((p) => p.triage.instruction > 0 || p.classify.instruction > 0), 'a proposed instruction was tried');
    const summary = run.events.find((e): e is Extract<RunEvent, { type: 'stage_summary' }> => e.type === 'stage_summary')!;
    assert.equal(summary.detail.proposalCalls, 4);
    assert.equal(summary.detail.instructionsProposed, 4);
    assert.equal(run.manifest.config.prompt && (run.manifest.config.prompt as { promptModel: string }).promptModel, 'writer');
    for (const f of readdirSync(dir)) assert.equal(readFileSync(join(dir, f), 'utf8').includes(SECRET), false, `${f} holds the key`);
  });

  it('--dry-run shows the proposal line without contacting the prompt model; settings also come from --config', async () => {
    const config = join(env.ws, 'optimize.json');
    writeFileSync(config, JSON.stringify({ prompt: { promptModel: 'writer', promptBaseUrl: env.url, instructionCandidates: 3 } }));
    const r = await cli(['optimize', env.task, '--strategy', 'p -> w', '--dry-run', '--config', config], env.ws);
    assert.equal(r.code, 0, r.stderr);
    // 2 modules x 3 candidates, 400 completion tokens each at most.
    assert.match(r.stdout, /\n\s+p1\/propose\s+6\s+\d+\s+2400\n/);
    assert.match(r.stdout, /\n\s+p1\s+\d+/);
    assert.equal(env.server.requestCount, 0);
    const train = await cli(['train', env.task, '--dry-run', '--config', config], env.ws);
    assert.equal(train.code, 2);
    assert.match(train.stderr, /has a "prompt" section, which only `mmgrpo optimize` uses/);
  });

  it('refuses bad prompt-model settings and an unreachable prompt model before the run starts', async () => {
    const noUrl = await cli(['optimize', env.task, '--strategy', 'p', '--prompt-model', 'writer', ...fake], env.ws);
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /mmgrpo optimize: Prompt model "writer" has no server: give its OpenAI-compatible base URL with --prompt-base-url <url>/);
    await env.server.close();
    const down = await cli(['optimize', env.task, '--strategy', 'p', ...smallP, ...fake, '--prompt-model', 'writer', '--prompt-base-url', env.url], env.ws);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /Prompt model "writer" at http:\/\/127\.0\.0\.1:\d+\/v1: Cannot reach the LM server/);
    assert.equal(existsSync(join(env.ws, '.mmgrpo')), false, 'no run was recorded');
  });
});
