// Installs npm dependencies when they are missing or older than the lockfile,
// so `npm test` and `npm run demo` work on a fresh clone. Idempotent.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function ensureDeps(root) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
  if (stale) {
    console.error('Installing dependencies (npm ci)...');
    execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
  }
  // npm 11 may hold back install scripts; esbuild's binary must be usable.
  execSync(`node -e "require('esbuild').transformSync('let a: number = 1', { loader: 'ts' })"`, { cwd: root, stdio: 'inherit' });
}
