import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { startEmbeddedServer } from '../../../src/embedded/server';
import { FakeBackend } from '../../fixtures/fakeBackend';
import { chatCompletion, FakeOpenAIServer, type FakeChatBody, type FakeReply } from '../../fixtures/fakeOpenAIServer';
import { request } from '../embedded/server/httpHelpers';
import { saveCheckpoint } from '../../../src/embedded/checkpoint';
import { disposeHandle, setupTf, tinyHandle } from '../embedded/helpers';

const root = resolve(__dirname, '..', '..', '..');
const goodTask = join(root, 'test', 'fixtures', 'tasks', 'good.ts');
const banking = join(root, 'examples', 'banking77', 'task.ts');
const fakeBackend = join(root, 'test', 'fixtures', 'fakeBackend.ts');

// Distinct keys so a leak says which route it took.
const ENV_KEY = 'sk-PLANTED-env-5f1c9a7e3b2d4c6a8e0f';
const CONFIG_KEY = 'sk-PLANTED-config-9d8c7b6a5f4e3d2c1b0a';
const KEYS = [ENV_KEY, CONFIG_KEY];

interface CliResult {
  code: number | null;
  out: string;
}

/** Runs the CLI from source; stdout and stderr are captured together (both must stay clean). */
function cli(args: string[], cwd: string, env: Record<string, string> = {}, umask?: string): Promise<CliResult> {
  const node = [process.execPath, '--require', require.resolve('tsx/cjs'), join(root, 'src', 'cli', 'main.ts'), ...args];
  // A shell sets the umask for the child (Node has no spawn option for it).
  const [cmd, argv] = umask === undefined ? [node[0], node.slice(1)] : ['/bin/sh', ['-c', `umask ${umask} && exec "$@"`, 'sh', ...node]];
  return new Promise((done) => {
    const child = spawn(cmd, argv, {
      cwd,
      env: { ...process.env, MMGRPO_BASE_URL: '', OPENAI_BASE_URL: '', OPENAI_API_KEY: '', MMGRPO_CACHE_DIR: '', MMGRPO_API_KEY: ENV_KEY, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => done({ code, out }));
  });
}

function completion(body: FakeChatBody, content: string): FakeReply {
  return { json: chatCompletion(content, { model: body.model }) };
}

/** Echo answers; a question "q2" on an "echo-key" request gets an error that quotes the caller's key (as some providers do). */
function responder(echoKey: () => boolean) {
  return (body: FakeChatBody, req: { headers: Record<string, string | string[] | undefined> }): FakeReply => {
    if (echoKey()) {
      const auth = String(req.headers.authorization ?? '');
      return { status: 400, json: { error: { message: `Incorrect API key provided: ${auth.replace(/^Bearer /, '')}`, type: 'invalid_request_error' } } };
    }
    const user = body.messages?.[body.messages.length - 1]?.content ?? '';
    const q = /\[\[ ## question ## \]\]\s*(\S+)/.exec(user)?.[1] ?? '';
    return completion(body, `[[ ## answer ## ]]\na${q.slice(1)}\n\n[[ ## completed ## ]]`);
  };
}

function walk(dir: string): string[] {
  const out: string[] = [dir];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out.push(...(statSync(p).isDirectory() ? walk(p) : [p]));
  }
  return out;
}

function leaks(text: string | Buffer): string[] {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  return KEYS.filter((k) => buf.includes(k) || buf.includes(Buffer.from(k).toString('base64')));
}

/** No path writable by others, and no file or folder readable by others either (run data, prompts, cached answers, weights). */
function assertPrivate(paths: string[], base: string): void {
  const open = paths.filter((p) => (statSync(p).mode & 0o007) !== 0).map((p) => `${relative(base, p)} ${(statSync(p).mode & 0o777).toString(8)}`);
  assert.deepEqual(open, [], 'paths with permission bits for other users');
}

describe('security: planted API keys never reach disk or output', function () {
  this.timeout(120_000);
  let server: FakeOpenAIServer;
  let baseUrl: string;
  let echoKey = false;
  let ws: string;
  let cfgDir: string;
  const outputs: { what: string; out: string }[] = [];

  before(async () => {
    server = new FakeOpenAIServer({ responder: responder(() => echoKey), model: 'fake-model' });
    baseUrl = await server.start();
    ws = mkdtempSync(join(tmpdir(), 'secrets-ws-'));
    cfgDir = mkdtempSync(join(tmpdir(), 'secrets-cfg-'));
  });
  after(async () => {
    await server.close();
    rmSync(ws, { recursive: true, force: true });
    rmSync(cfgDir, { recursive: true, force: true });
  });

  async function run(what: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const r = await cli(args, ws, env);
    outputs.push({ what, out: r.out });
    return r;
  }

  it('eval sends the env key to the server (so it really was in play), twice to fill and hit the cache', async () => {
    for (const label of ['eval', 'eval (cached)']) {
      const r = await run(label, ['eval', goodTask, '--json', '--model', 'fake-model', '--base-url', baseUrl]);
      assert.equal(r.code, 0, r.out);
    }
    assert.ok(server.requests.some((q) => q.headers.authorization === `Bearer ${ENV_KEY}`), 'the key was sent');
    assert.ok(walk(join(ws, '.mmgrpo', 'cache')).length > 1, 'cache files were written');
  });

  it('eval against a server whose error quotes the key records a scrubbed error', async () => {
    echoKey = true;
    try {
      const r = await run('eval (key in error)', ['eval', goodTask, '--json', '--no-cache', '--model', 'fake-model', '--base-url', baseUrl]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /Incorrect API key provided/, 'the server error reached the run');
    } finally {
      echoKey = false;
    }
  });

  it('train refuses a --config with a key-like field without echoing its value', async () => {
    const cfg = join(cfgDir, 'apikey.json');
    writeFileSync(cfg, JSON.stringify({ steps: 1, apiKey: CONFIG_KEY }));
    const r = await run('train (apiKey in config)', ['train', banking, '--config', cfg, '--backend-module', fakeBackend]);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /Unknown setting "apiKey"/);
  });

  it('train with the fake backend and a key in the environment completes; report renders it', async () => {
    const cfg = join(cfgDir, 'ok.json');
    writeFileSync(cfg, JSON.stringify({ steps: 2, examplesPerStep: 2, rolloutsPerExample: 2, valEvery: 2, seed: 3 }));
    const r = await run('train', ['train', banking, '--config', cfg, '--backend-module', fakeBackend, '--json']);
    assert.equal(r.code, 0, r.out);
    const runs = readdirSync(join(ws, '.mmgrpo', 'runs'));
    const train = runs.find((id) => id.includes('banking77'))!;
    assert.ok(train, `a training run in ${runs.join(', ')}`);
    for (const id of runs) {
      const rep = await run(`report ${id}`, ['report', id]);
      assert.equal(rep.code, 0, rep.out);
    }
    const shown = await run('runs show', ['runs', 'show', train]);
    assert.equal(shown.code, 0, shown.out);
  });

  it('no file under .mmgrpo and no captured output holds a planted key', () => {
    const files = walk(join(ws, '.mmgrpo')).filter((p) => statSync(p).isFile());
    const kinds = new Set(files.map((f) => f.split('/').pop()!.replace(/^.*\./, '.')));
    for (const k of ['.json', '.jsonl', '.html']) assert.ok(kinds.has(k), `some ${k} files were written (${[...kinds].join(' ')})`);
    assert.ok(files.some((f) => f.includes(`${join('.mmgrpo', 'models')}`)), 'model folders were written');
    const dirty = files.filter((f) => leaks(readFileSync(f)).length).map((f) => relative(ws, f));
    assert.deepEqual(dirty, [], 'files holding a planted key');
    const loud = outputs.filter((o) => leaks(o.out).length).map((o) => o.what);
    assert.deepEqual(loud, [], 'commands that printed a planted key');
    console.log(`      scanned ${files.length} files (${[...kinds].sort().join(' ')}) and the output of ${outputs.length} commands`);
  });

  // Under the usual umask 022 nothing can come out world-writable whatever the code does, so
  // these run under umask 0, where only the modes the code sets explicitly protect the files.
  it('runs, the response cache and reports stay private under umask 0 (explicit modes, not the umask)', async () => {
    const ws0 = mkdtempSync(join(tmpdir(), 'secrets-umask0-'));
    try {
      const r = await cli(['eval', goodTask, '--json', '--model', 'fake-model', '--base-url', baseUrl], ws0, {}, '0');
      assert.equal(r.code, 0, r.out);
      const [id] = readdirSync(join(ws0, '.mmgrpo', 'runs'));
      const rep = await cli(['report', id], ws0, {}, '0');
      assert.equal(rep.code, 0, rep.out);
      const paths = walk(join(ws0, '.mmgrpo'));
      const written = (re: RegExp) => assert.ok(paths.some((p) => re.test(relative(ws0, p))), `${re} was written (${paths.map((p) => relative(ws0, p)).join(' ')})`);
      [/runs\/[^/]+\/events\.jsonl$/, /runs\/[^/]+\/run\.json$/, /runs\/[^/]+\/report\.html$/, /^\.mmgrpo\/cache\/.+\.json$/].forEach(written);
      assertPrivate(paths, ws0);
    } finally {
      rmSync(ws0, { recursive: true, force: true });
    }
  });

  it('model checkpoints stay private under umask 0', async () => {
    const ws0 = mkdtempSync(join(tmpdir(), 'secrets-umask0-ckpt-'));
    await setupTf();
    const handle = tinyHandle();
    const old = process.umask(0);
    try {
      // The tiny backend's save, as the server calls it for `.mmgrpo/models/<run>/<checkpoint>`.
      await saveCheckpoint(join(ws0, '.mmgrpo', 'models', 'run-1', 'w-step-1'), handle.config, handle.tokenizer, handle.params);
    } finally {
      process.umask(old);
      disposeHandle(handle);
    }
    try {
      const paths = walk(join(ws0, '.mmgrpo'));
      assert.ok(paths.some((p) => p.endsWith(join('w-step-1', 'weights.bin'))), paths.join(' '));
      assertPrivate(paths, ws0);
    } finally {
      rmSync(ws0, { recursive: true, force: true });
    }
  });

  it('the embedded server refuses a missing or wrong token and a non-loopback Host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-server-'));
    const server = await startEmbeddedServer({ backend: new FakeBackend(), checkpointRoot: dir });
    try {
      assert.ok(server.token.length >= 32, 'a random token by default');
      const cases: Array<[string, Parameters<typeof request>[2], number]> = [
        ['no token', { token: null }, 401],
        ['wrong token', { token: server.token.slice(0, -1) + (server.token.endsWith('0') ? '1' : '0') }, 401],
        ['the planted key', { token: ENV_KEY }, 401],
        ['foreign Host', { host: 'attacker.example' }, 403],
        ['rebinding Host', { host: '127.0.0.1.attacker.example:80' }, 403],
        ['right token, loopback', {}, 200],
      ];
      for (const [what, opts, status] of cases) {
        const res = await request(server, 'models', opts);
        assert.equal(res.status, status, `${what}: ${res.text}`);
        if (status !== 200) assert.equal(typeof res.json?.error?.message, 'string', what);
        assert.equal(res.text.includes(server.token), false, `${what}: the answer quotes the token`);
      }
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
