// `npm run demo`: installs what is missing, builds, then trains the bundled
// Banking77 two-module example on the embedded CPU model (no network, no GPU):
// a supervised warm start on labeled module calls, then MMGRPO on the weights.
// Prints progress, the final table and the run id; extra flags pass through
// to `mmgrpo train` (e.g. `npm run demo -- --steps 30`).
import { execSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensureDeps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps(root);
execSync('node scripts/build.mjs', { cwd: root, stdio: 'inherit' });
const example = join(root, 'examples', 'banking77');
const demo = JSON.parse(readFileSync(join(example, 'demo.json'), 'utf8'));
const args = [
  join(root, 'bin', 'mmgrpo.js'), 'train', join(example, 'task.ts'),
  '--model-config', JSON.stringify(demo.model),
  '--warm-start-epochs', String(demo.warmStartEpochs),
  '--warm-start-lr', String(demo.warmStartLr),
  '--steps', String(demo.steps),
  '--examples-per-step', String(demo.examplesPerStep),
  '--rollouts', String(demo.rollouts),
  '--val-every', String(demo.valEvery),
  '--lr', String(demo.lr),
  ...process.argv.slice(2),
];
const started = Date.now();
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
console.error(`\nDemo wall time: ${((Date.now() - started) / 1000).toFixed(0)} s (warm start + MMGRPO, after the build)`);
process.exit(r.status ?? 1);
