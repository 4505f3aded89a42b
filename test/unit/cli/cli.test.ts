import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chatCompletion, FakeOpenAIServer, type FakeChatBody } from '../../fixtures/fakeOpenAIServer';

const root = resolve(__dirname, '..', '..', '..');
const goodTask = join(root, 'test', 'fixtures', 'tasks', 'good.ts');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Runs the CLI from source (tsx) so the test does not depend on a prior build.
function cli(args: string[], env: Record<string, string> = {}, cwd = root): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), join(root, 'src', 'cli', 'main.ts'), ...args], {
      cwd,
      env: { ...process.env, MMGRPO_BASE_URL: '', OPENAI_BASE_URL: '', OPENAI_API_KEY: '', MMGRPO_API_KEY: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

// Answers `a<n>` for question `q<n>`, so train/val scores are 1 for the echo task.
function answer(body: FakeChatBody) {
  const user = body.messages?.[body.messages.length - 1]?.content ?? '';
  const q = /\[\[ ## question ## \]\]\s*(\S+)/.exec(user)?.[1] ?? '';
  const content = `[[ ## answer ## ]]\na${q.slice(1)}\n\n[[ ## completed ## ]]`;
  return { json: chatCompletion(content, { model: body.model }) };
}

describe('mmgrpo CLI', function () {
  this.timeout(60_000);
  let server: FakeOpenAIServer;
  let baseUrl: string;
  let ws: string;

  before(async () => {
    server = new FakeOpenAIServer({ responder: (b) => answer(b), model: 'fake-model' });
    baseUrl = await server.start();
  });
  after(() => server.close());
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'cli-ws-'));
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('eval --json prints events as JSONL, records the run, and runs list/show read it back', async () => {
    const r = await cli(['eval', goodTask, '--json', '--model', 'fake-model'], { MMGRPO_BASE_URL: baseUrl, MMGRPO_API_KEY: 'sk-PLANTED-KEY-42' }, ws);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(events[0].type, 'run_started');
    assert.equal(events[events.length - 1].type, 'run_finished');
    assert.equal(events.find((e) => e.type === 'eval_finished').score, 1);
    assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer sk-PLANTED-KEY-42');
    const runsDir = join(ws, '.mmgrpo', 'runs');
    const [id] = readdirSync(runsDir);
    for (const f of readdirSync(join(runsDir, id))) {
      assert.equal(readFileSync(join(runsDir, id, f), 'utf8').includes('sk-PLANTED-KEY-42'), false, `key leaked into ${f}`);
    }
    const list = await cli(['runs', 'list', '--json'], {}, ws);
    assert.equal(list.code, 0);
    assert.equal(JSON.parse(list.stdout.trim()).id, id);
    const show = await cli(['runs', 'show', id], {}, ws);
    assert.match(show.stdout, /completed/);
    assert.match(show.stdout, /val score 100\.0%/);
  });

  it('prints a progress bar and the run id for people', async () => {
    const r = await cli(['eval', goodTask, '--split', 'train', '--model', 'fake-model', '--base-url', baseUrl], {}, ws);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[█+\] 1\/1/);
    assert.match(r.stderr, /Run id: \d{8}-\d{6}-echo-[0-9a-f]{4}/);
  });

  it('gives one-line reasons and exit code 2 for bad usage', async () => {
    const cases: [string[], RegExp][] = [
      [['bogus'], /unknown command "bogus"/],
      [['eval'], /give exactly one task file/],
      [['eval', goodTask, '--split', 'test'], /--split must be one of val, train/],
      [['eval', goodTask, '--concurrency', '0'], /--concurrency must be an integer >= 1/],
      [['eval', goodTask, '--frobnicate'], /Unknown option '--frobnicate'/],
      [['eval', goodTask, '--model', 'm'], /no LM server given/],
      [['runs', 'show', 'nope'], /No run "nope"/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args, {}, ws);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}`);
    }
  });

  it('fails fast and clearly on an unreachable server, a wrong model, and a bad task file', async () => {
    const down = await cli(['eval', goodTask, '--model', 'm', '--base-url', 'http://127.0.0.1:59999/v1'], {}, ws);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /Cannot reach the LM server at http:\/\/127\.0\.0\.1:59999\/v1 \(ECONNREFUSED\)/);
    const wrong = await cli(['eval', goodTask, '--model', 'nope', '--base-url', baseUrl], {}, ws);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /does not serve model 'nope'. It serves: fake-model/);
    const broken = await cli(['eval', join(root, 'test', 'fixtures', 'tasks', 'syntaxError.ts'), '--model', 'fake-model', '--base-url', baseUrl], {}, ws);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /syntaxError\.ts:5:\d+: Unexpected/);
  });

  it('has --help for every command', async () => {
    for (const args of [['--help'], ['eval', '--help'], ['runs', '--help']]) {
      const r = await cli(args, {}, ws);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Usage: mmgrpo/);
    }
  });
});
