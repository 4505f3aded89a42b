import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

// `npm run package` must give a .vsix that works on its own: nothing from the
// repository's node_modules or sources. Packs it, unpacks it far from the
// repository, and trains the example one step with the packed CLI (esbuild
// from the package loads the task file; the tfjs .wasm binaries sit in dist/).
describe('the .vsix (integration)', function () {
  this.timeout(300_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'vsix-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('holds the bundles, media and esbuild only, and its CLI trains the example on the embedded model', async () => {
    const vsix = join(tmp, 'mmgrpo-studio.vsix');
    execFileSync(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--allow-missing-repository', '--out', vsix], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    const unpacked = join(tmp, 'unpacked');
    execFileSync('python3', ['-m', 'zipfile', '-e', vsix, unpacked]);
    const ext = join(unpacked, 'extension');
    // VS Code restores the file modes a .vsix records; python's zipfile does not.
    for (const bin of ['node_modules/esbuild/bin/esbuild', 'node_modules/@esbuild/linux-x64/bin/esbuild']) if (existsSync(join(ext, bin))) chmodSync(join(ext, bin), 0o755);
    const files = filesUnder(ext).map((f) => relative(ext, f));
    for (const f of ['package.json', 'LICENSE.txt', 'readme.md', 'dist/extension.js', 'dist/cli.js', 'dist/tinyBackend.js', 'dist/backendWorker.js', 'dist/webview.js', 'dist/tfjs-backend-wasm-simd.wasm', 'media/panel.css', 'node_modules/esbuild/package.json', 'dist/types/mmgrpo.d.ts', 'dist/types/internal.d.ts', 'node_modules/mmgrpo-ts-plugin/index.js', 'schemas/mmgrpo-config.schema.json', 'examples/banking77/task.ts', 'examples/banking77/data/val.json', 'examples/banking77/data/LICENSE']) {
      assert.ok(files.includes(f), `${f} is in the .vsix`);
    }
    // The Banking77 example ships as source (the walkthrough opens a copy of it); nothing else of the repository does.
    const example = (f: string) => f.startsWith('examples/banking77/');
    assert.deepEqual(files.filter((f) => !example(f) && (/^(src|test|bench|scripts|examples)\//.test(f) || f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))), []);

    const ws = join(tmp, 'ws');
    mkdirSync(ws);
    const { prepareWorkspace } = (await import(join(root, 'scripts', 'e2e', 'workspace.mjs'))) as { prepareWorkspace(root: string, dir: string): string };
    prepareWorkspace(root, ws);
    const model = JSON.stringify({ contextLength: 160, maxPromptTokens: 112, dModel: 32, nLayer: 1, nHead: 2 });
    const r = spawnSync(process.execPath, [join(ext, 'dist', 'cli.js'), 'train', 'task.ts', '--steps', '1', '--examples-per-step', '2', '--rollouts', '2', '--val-every', '1', '--max-tokens', '24', '--model-config', model, '--json'], {
      cwd: ws, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' },
    });
    assert.equal(r.status, 0, r.stderr);
    const events = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; status?: string });
    assert.equal(events.at(-1)?.type, 'run_finished');
    assert.equal(events.at(-1)?.status, 'completed');
    assert.ok(existsSync(join(ws, '.mmgrpo', 'runs')));
  });
});
