// `npm run demo`: installs what is missing, builds, then runs the main job on
// the bundled Banking77 example. Until the embedded backend lands this
// evaluates the example against an OpenAI-compatible server named by
// MMGRPO_BASE_URL and MMGRPO_MODEL.
import { execSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensureDeps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps(root);
execSync('node scripts/build.mjs', { cwd: root, stdio: 'inherit' });
if (!process.env.MMGRPO_BASE_URL) {
  console.error('Set MMGRPO_BASE_URL (and MMGRPO_MODEL, MMGRPO_API_KEY if needed) to an OpenAI-compatible server, e.g.\n  MMGRPO_BASE_URL=http://127.0.0.1:11434/v1 MMGRPO_MODEL=llama3.2 npm run demo');
  process.exit(2);
}
const r = spawnSync(process.execPath, [join(root, 'bin', 'mmgrpo.js'), 'eval', join(root, 'examples', 'banking77', 'task.ts'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
