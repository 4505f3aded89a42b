import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startEmbeddedServer, type EmbeddedServerHandle } from '../../../src/embedded/server';
import { createLM } from '../../../src/engine/lm';
import { preflightLM } from '../../../src/engine/lm/preflight';
import { readSettings } from '../../../src/extension/config';
import { resolveMMGRPOConfig, type MMGRPOConfigInput } from '../../../src/engine/optimize/mmgrpo/config';
import { RunWriter, buildManifest } from '../../../src/engine/runs';
import { Module, Predict, defineTask } from '../../../src/engine/sdk';
import { loadTaskFile } from '../../../src/engine/tasks/loadTask';
import { ArborTrainerClient } from '../../../src/engine/trainer';
import { runProgram } from '../../../src/engine/trace';
import { FakeBackend } from '../../fixtures/fakeBackend';
import { FakeOpenAIServer } from '../../fixtures/fakeOpenAIServer';
import { ScriptedLM } from '../../fixtures/scriptedLM';
import { request } from '../embedded/server/httpHelpers';
import { Echo, answering, closedPort, evalOne, finishedRun, mainInProcess, messageOf, root, silentServer, spawnCli } from './badInputHelpers';

// One `it` per row of docs/bad-input.md; each asserts the exact text the user sees.
const fixture = (name: string) => join(root, 'test', 'fixtures', 'tasks', name);
const shown = (file: string) => relative(process.cwd(), file);
const user = (content: string) => ({ messages: [{ role: 'user' as const, content }] });
const config = (input: Record<string, unknown>) => messageOf(() => resolveMMGRPOConfig(input as MMGRPOConfigInput));

describe('bad input catalogue (docs/bad-input.md)', function () {
  it('B43 an unusable mmgrpo.taskOverrides entry in the editor settings', () => {
    const s = readSettings((k) => (k === 'taskOverrides' ? { 'task.ts': { args: '--steps 4' } } : undefined));
    assert.deepEqual(s.problems, ['Setting mmgrpo.taskOverrides["task.ts"]: "args" must be a list of strings (e.g. {"examples/qa/task.ts": {"args": ["--steps", "4"], "evalArgs": ["--limit", "50"]}}); this entry is ignored.']);
  });

  this.timeout(20_000);
  let dir: string;
  let server: EmbeddedServerHandle;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
    server = await startEmbeddedServer({ backend: new FakeBackend(), checkpointRoot: join(dir, 'ckpt') });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('programs and signatures', () => {
    it('B01 malformed signature: two input names without a comma (column 9)', async () => {
      assert.equal(
        await messageOf(() => new Predict('question answer -> ')),
        'Malformed signature "question answer -> " at column 9: expected ",", ":" or "->" after field "question", got "answer"\n  question answer -> \n           ^',
      );
    });

    it('B02 malformed signature: unknown output type (column 20)', async () => {
      assert.equal(
        await messageOf(() => new Predict('question -> answer: Lst[str]')),
        'Malformed signature "question -> answer: Lst[str]" at column 20: unknown type "Lst"; known types: str, int, float, bool, list[T], Literal[...], dict, json\n  question -> answer: Lst[str]\n                      ^',
      );
    });

    it('B03 module called with an unknown input field', async () => {
      const run = await runProgram(new Echo(), { question: 'q', extra: 1 }, { lm: answering() });
      assert.equal(run.error?.message, 'Predict module "answer" (question -> answer) expects input fields "question"; got unknown input field(s) "extra"');
    });

    it('B04 module called without a required input field', async () => {
      const run = await runProgram(new Echo(), {}, { lm: answering() });
      assert.equal(run.error?.message, 'Predict module "answer" (question -> answer) expects input fields "question"; missing input field(s) "question"');
    });

    it('B05 LM output that fails type coercion (int field gets "abc")', async () => {
      class Count extends Module {
        n = new Predict('question -> n: int');
        async forward(input: { question: string }) {
          return this.n.forward(input);
        }
      }
      const run = await runProgram(new Count(), { question: 'q' }, { lm: new ScriptedLM(['[[ ## n ## ]]\nabc\n\n[[ ## completed ## ]]']) });
      assert.equal(run.error?.kind, 'parse');
      assert.equal(run.error?.message, 'Could not parse the LM output. Parsed fields: none. Failed: field "n": "abc" is not a number.');
    });

    it('B06 program returning a non-object', async () => {
      class Stringy extends Module {
        answer = new Predict('question -> answer');
        async forward() {
          return 'a1' as unknown as Record<string, unknown>;
        }
      }
      const r = await evalOne(new Stringy());
      assert.equal(r.score, 0);
      assert.equal(r.error, 'Stringy.forward() returned a string ("a1"); it must return a plain object such as { answer: ... }');
    });
  });

  describe('task files and datasets', () => {
    it('B07 task file with a syntax error (file:line:column and the line)', async () => {
      assert.equal(await messageOf(() => loadTaskFile(fixture('syntaxError.ts'))), `${shown(fixture('syntaxError.ts'))}:5:14: Unexpected ","\n    oops: (1 + ,`);
    });

    it('B08 task file without a default export', async () => {
      assert.equal(
        await messageOf(() => loadTaskFile(fixture('noDefault.ts'))),
        `${shown(fixture('noDefault.ts'))} does not default-export a task. End it with \`export default defineTask({ name, program, inputs, trainset, metric })\` (defineTask is imported from 'mmgrpo').`,
      );
    });

    it('B09 task file that throws while loading', async () => {
      assert.equal(await messageOf(() => loadTaskFile(fixture('throws.ts'))), `${shown(fixture('throws.ts'))}:4:9: loading the task threw Error: data file is missing`);
    });

    it('B10 task file that does not exist', async () => {
      assert.equal(await messageOf(() => loadTaskFile('no/such/task.ts')), 'Task file not found: no/such/task.ts');
    });

    it('B11 empty trainset', async () => {
      assert.equal(
        await messageOf(() => defineTask({ name: 'e', program: new Echo(), inputs: ['question'], trainset: [], metric: () => 1 })),
        'Task "e": `trainset` is empty; it needs at least one example.',
      );
    });

    it('B12 trainset row missing an input field (reported from the task file)', async () => {
      assert.equal(
        await messageOf(() => loadTaskFile(fixture('missingField.ts'))),
        `${shown(fixture('missingField.ts'))}:10:16: loading the task threw TaskDefinitionError: Task "missing": trainset[1] is missing the input field "question" (it has: prompt).`,
      );
    });
  });

  describe('metrics', () => {
    it('B13 metric that throws', async () => {
      const r = await evalOne(new Echo(), () => {
        throw new RangeError('index 3 out of range');
      });
      assert.equal(r.score, 0);
      assert.equal(r.error, 'The metric threw RangeError: index 3 out of range');
    });

    it('B14 metric returning NaN', async () => {
      assert.equal((await evalOne(new Echo(), () => NaN)).error, 'The metric returned NaN; it must return a finite number (or a boolean).');
    });

    it('B15 metric returning a string', async () => {
      const metric = (() => 'yes') as unknown as () => number;
      assert.equal((await evalOne(new Echo(), metric)).error, 'The metric returned a string ("yes"); it must return a finite number (or a boolean).');
    });
  });

  describe('MMGRPO configuration', () => {
    it('B16 rolloutsPerExample 1', async () => {
      assert.equal(await config({ rolloutsPerExample: 1 }), 'rolloutsPerExample must be at least 2 (got 1): group-relative advantages compare rollouts of the same input.');
    });

    it('B17 formatFailureScore >= failureScore', async () => {
      assert.equal(
        await config({ failureScore: 0, formatFailureScore: 0 }),
        'formatFailureScore (0) must be lower than failureScore (0): a rollout whose output did not parse must score below one that ran. Lower formatFailureScore, e.g. to -1.',
      );
    });

    it('B18 unknown grouping mode', async () => {
      assert.equal(await config({ groupingMode: 'bogus' }), 'groupingMode "bogus" is unknown; use one of truncate, fill, ragged.');
    });

    it('B19 grouping mode fill without a fill strategy', async () => {
      assert.equal(await config({ groupingMode: 'fill' }), 'groupingMode "fill" needs fillStrategy: "randint" (pad with random own calls) or "max" (repeat the last call).');
    });

    it('B20 unknown (misspelled) setting', async () => {
      assert.equal(
        await config({ rolloutsPerExampel: 4 }),
        'Unknown setting "rolloutsPerExampel". Known: steps, examplesPerStep, rolloutsPerExample, concurrency, seed, valEvery, useTrainAsVal, failureScore, formatFailureScore, groupingMode, fillStrategy, selectKDiverse, teachers, temperature, maxTokens, trainer, backend, budgets.',
      );
    });

    it('B21 invalid config given on the CLI (mmgrpo train --rollouts 1)', async () => {
      const r = await mainInProcess(['train', fixture('good.ts'), '--rollouts', '1']);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, 'mmgrpo train: rolloutsPerExample must be at least 2 (got 1): group-relative advantages compare rollouts of the same input.\n');
    });
  });

  describe('LM server and trainer', () => {
    it('B22 unreachable LM server (checked before the run starts)', async () => {
      const url = `http://127.0.0.1:${await closedPort()}/v1`;
      assert.equal(
        await messageOf(() => preflightLM({ baseUrl: url, model: 'm', timeoutMs: 2000 })),
        `Cannot reach the LM server at ${url} (ECONNREFUSED). Is it running? Set the base URL with --base-url or MMGRPO_BASE_URL.`,
      );
    });

    it('B23 wrong API key (HTTP 401)', async () => {
      const fake = new FakeOpenAIServer({ responder: () => ({ status: 401, json: { error: { message: 'Incorrect API key provided' } } }) });
      const url = await fake.start();
      try {
        const lm = createLM({ baseUrl: url, model: 'fake-model', apiKey: 'sk-wrong-key', maxRetries: 0 });
        assert.equal(await messageOf(() => lm.complete(user('x'))), `The LM server at ${url} rejected the API key (HTTP 401). Check MMGRPO_API_KEY.`);
      } finally {
        await fake.close();
      }
    });

    it('B24 model not served (checked before the run starts)', async () => {
      const fake = new FakeOpenAIServer({ model: 'fake-model' });
      const url = await fake.start();
      try {
        assert.equal(
          await messageOf(() => preflightLM({ baseUrl: url, model: 'nope', timeoutMs: 2000 })),
          `The LM server at ${url} does not serve model 'nope'. It serves: fake-model. Set --model or MMGRPO_MODEL.`,
        );
      } finally {
        await fake.close();
      }
    });

    it('B25 model not served (at call time, HTTP 404 from the embedded server)', async () => {
      const lm = createLM({ baseUrl: server.baseUrl, model: 'nope', apiKey: server.token, maxRetries: 0 });
      assert.equal(
        await messageOf(() => lm.complete(user('x'))),
        `The LM server at ${server.baseUrl} has no model 'nope' (HTTP 404: The model \`nope\` is not served here. Available: tiny-fake.). List the served models with GET ${server.baseUrl}/models and set --model or MMGRPO_MODEL; if that list fails too, the base URL is wrong (it usually ends in /v1).`,
      );
    });

    it('B26 trainer URL that accepts connections but never answers', async () => {
      const silent = await silentServer();
      try {
        const trainer = new ArborTrainerClient({ baseUrl: silent.url, timeoutMs: 200, maxRetries: 0 });
        assert.equal(await messageOf(() => trainer.capabilities()), `The trainer at ${silent.url} did not answer GET capabilities within 200 ms.`);
      } finally {
        await silent.close();
      }
    });

    it('B27 trainer URL where nothing listens', async () => {
      const url = `http://127.0.0.1:${await closedPort()}/v1`;
      const trainer = new ArborTrainerClient({ baseUrl: url, timeoutMs: 2000, maxRetries: 0 });
      assert.equal(await messageOf(() => trainer.capabilities()), `Cannot reach the trainer at ${url} (ECONNREFUSED). Is Arbor (or \`mmgrpo serve\`) running at that address?`);
    });

    it('B28 huge input (9 MB prompt) to the embedded server: HTTP 413', async () => {
      const lm = createLM({ baseUrl: server.baseUrl, model: 'tiny-fake', apiKey: server.token, maxRetries: 0 });
      assert.equal(
        await messageOf(() => lm.complete(user('x'.repeat(9 * 1024 * 1024)))),
        `The LM server at ${server.baseUrl} refused the request as too large (HTTP 413: Request body exceeds the 8388608-byte limit of this server; send smaller batches.). Shorten the prompt (fewer or shorter demos and inputs) or raise the server's body limit.`,
      );
    });
  });

  describe('embedded server HTTP', () => {
    const errorOf = async (route: string, opts: Parameters<typeof request>[2]) => {
      const res = await request(server, route, opts);
      return `${res.status} ${res.json?.error?.message}`;
    };

    it('B29 malformed JSON body', async () => {
      assert.equal(await errorOf('chat/completions', { raw: '{"model": ' }), '400 The request body is not valid JSON (Unexpected end of JSON input).');
    });

    it('B30 missing bearer token', async () => {
      assert.equal(await errorOf('models', { token: null }), '401 Missing or wrong API token; send `Authorization: Bearer <token>` with the token the server printed at start.');
    });

    it('B31 wrong bearer token', async () => {
      assert.equal(await errorOf('models', { token: 'not-the-token' }), '401 Missing or wrong API token; send `Authorization: Bearer <token>` with the token the server printed at start.');
    });

    it('B32 non-loopback Host header (DNS rebinding)', async () => {
      assert.equal(await errorOf('models', { host: 'evil.example:80' }), '403 This server only answers requests addressed to 127.0.0.1, localhost or [::1].');
    });
  });

  describe('run folders and the CLI', () => {
    it('B33 a file where the runs folder is expected', async () => {
      const file = join(dir, 'runs-file');
      writeFileSync(file, 'not a folder');
      const manifest = buildManifest({ id: 'r', kind: 'eval', taskName: 't', taskFile: 'x.ts', seed: 0, config: {}, programStateBefore: new Echo().saveState(), workspace: dir });
      assert.equal(
        await messageOf(() => RunWriter.create(join(file, 'run-1'), manifest)),
        `Cannot write the run folder ${join(file, 'run-1')}: ENOTDIR (a file stands where a folder is expected; move it away).`,
      );
    });

    it('B34 a second writer on the same run folder', async () => {
      const runDir = join(dir, 'busy');
      const first = RunWriter.create(runDir, buildManifest({ id: 'r', kind: 'train', taskName: 't', taskFile: 'x.ts', seed: 0, config: {}, programStateBefore: new Echo().saveState(), workspace: dir }));
      try {
        assert.equal(await messageOf(() => RunWriter.reopen(runDir)), `Run folder ${runDir} is in use by process ${process.pid}. Wait for that run to finish or cancel it first.`);
      } finally {
        first.close();
      }
    });

    it('B35 resuming a completed training run', async () => {
      const runDir = finishedRun(join(dir, 'done-train'), 'train', 'completed');
      const r = await mainInProcess(['train', '--resume', runDir]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `mmgrpo: Run ${runDir} already completed; start a new run to train further.\n`);
    });

    it('B36 resuming an eval run', async () => {
      const runDir = finishedRun(join(dir, 'done-eval'), 'eval', 'completed');
      const r = await mainInProcess(['train', '--resume', runDir]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `mmgrpo: Run ${runDir} is an eval run; \`mmgrpo train --resume\` continues train runs.\n`);
    });

    it('B37 unknown CLI flag (spawned CLI, exit code 2, one line)', async () => {
      const r = await spawnCli(['eval', fixture('good.ts'), '--frobnicate'], dir);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, "mmgrpo eval: Unknown option '--frobnicate'. See `mmgrpo eval --help`.\n");
    });

    it('B38 invalid CLI flag value (--concurrency 0)', async () => {
      const r = await mainInProcess(['eval', fixture('good.ts'), '--concurrency', '0']);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, 'mmgrpo eval: --concurrency must be an integer >= 1 (got "0").\n');
    });

    it('B40 evaluating a run whose best program kept unsaved starting weights (eval --run)', async () => {
      const runDir = finishedRun(join(dir, 'prompt-only'), 'train', 'completed');
      const { task } = await loadTaskFile(fixture('good.ts'));
      writeFileSync(join(runDir, 'result.json'), JSON.stringify({ programState: task.program.saveState() }));
      const r = await mainInProcess(['eval', fixture('good.ts'), '--run', runDir]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `mmgrpo eval: run ${runDir}'s best program kept the starting weights, which are not saved on disk; evaluate its prompts against a server with --base-url, or pick a run whose best stage trained weights.\n`);
    });

    it('B41 eval --run together with --checkpoint', async () => {
      const r = await mainInProcess(['eval', fixture('good.ts'), '--run', 'r', '--checkpoint', dir]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, "mmgrpo eval: give --run or --checkpoint, not both (--run already uses the run's best checkpoint).\n");
    });

    it('B42 a prompt model without a server (optimize --prompt-model)', async () => {
      const r = await mainInProcess(['optimize', fixture('good.ts'), '--strategy', 'p', '--prompt-model', 'm']);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, 'mmgrpo optimize: Prompt model "m" has no server: give its OpenAI-compatible base URL with --prompt-base-url <url> (or promptBaseUrl in the config), e.g. http://127.0.0.1:8000/v1.\n');
    });
  });
});
