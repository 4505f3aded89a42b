import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

// The shipped bundle (not the TypeScript sources) must start the embedded
// model in its worker and answer chat requests: what `npm run demo` and the
// editor run. `npm test` builds before this suite.
describe('built CLI bundle', function () {
  this.timeout(120_000);

  it('serves the embedded model from dist/ (worker + bundled TensorFlow.js)', async function () {
    if (!existsSync(cli)) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    const options = JSON.stringify({ seed: 1, config: { contextLength: 64, maxPromptTokens: 48, dModel: 32, nLayer: 1, nHead: 2 } });
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--exit-with-parent', '--model-dir', dir, '--backend-options', options], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      const line = await new Promise<string>((ok, fail) => {
        createInterface({ input: child.stdout! }).once('line', ok);
        child.once('exit', (code) => fail(new Error(`serve exited (${code}): ${stderr}`)));
      });
      const { baseUrl, token } = JSON.parse(line) as { baseUrl: string; token: string };
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      const models = (await (await fetch(`${baseUrl}/models`, { headers })).json()) as { data: { id: string }[] };
      const res = await fetch(`${baseUrl}/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: models.data[0].id, messages: [{ role: 'user', content: 'pick' }], guided_choice: ['yes', 'no'], seed: 3 }),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { choices: { message: { content: string } }[] };
      assert.ok(['yes', 'no'].includes(body.choices[0].message.content));
    } finally {
      child.stdin!.end();
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
