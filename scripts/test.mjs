// The one test command (`npm test`): installs what is missing, builds,
// type-checks, then runs every suite, and ends with one "N passed, N failed"
// line over all suites. Exit code is non-zero if any step fails.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensureDeps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps(root);
const steps = [
  ['build', 'node scripts/build.mjs'],
  ['typecheck', 'npx tsc -p . --noEmit'],
  ['unit tests', 'npx mocha'],
  // Real learning on the embedded model (child process, HTTP, worker thread).
  ['integration tests', 'npx mocha --no-config --require tsx/cjs --extension ts --timeout 600000 "test/integration/**/*.test.ts"'],
];
let passed = 0;
let failed = 0;
for (const [name, cmd] of steps) {
  console.error(`\n== ${name}: ${cmd}`);
  const r = spawnSync(cmd, { cwd: root, shell: true, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(r.stdout ?? '');
  passed += Number(/(\d+) passing/.exec(r.stdout ?? '')?.[1] ?? 0);
  failed += Number(/(\d+) failing/.exec(r.stdout ?? '')?.[1] ?? 0);
  if (r.status !== 0) {
    console.error(`\n${name} failed.`);
    console.log(`${passed} passed, ${Math.max(failed, 1)} failed`);
    process.exit(1);
  }
}
console.log(`${passed} passed, ${failed} failed`);
