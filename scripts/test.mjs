// The one test command (`npm test`): installs what is missing, builds,
// type-checks, then runs every suite. Exit code is non-zero if any step fails.
import { execSync } from 'node:child_process';
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
for (const [name, cmd] of steps) {
  console.error(`\n== ${name}: ${cmd}`);
  try {
    execSync(cmd, { cwd: root, stdio: 'inherit' });
  } catch {
    console.error(`\n${name} failed.`);
    process.exit(1);
  }
}
