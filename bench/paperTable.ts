// The paper's four-column comparison on the bundled example and the embedded
// model: start, prompts only (p), MMGRPO only (w), prompts then MMGRPO (p -> w),
// each from the same warm-started base model, same budget settings, several
// seeds, mean ± std of the validation score. Slow (minutes per seed).
// Usage: npm run build && npx tsx bench/paperTable.ts [--seeds 3] [--steps 12] [--trials 8]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { percentMeanStd } from './lib/stats';

const root = resolve(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const task = join(root, 'examples', 'banking77', 'task.ts');
const { values } = parseArgs({ options: { seeds: { type: 'string', default: '3' }, steps: { type: 'string', default: '12' }, trials: { type: 'string', default: '8' } } });
const demo = JSON.parse(readFileSync(join(root, 'examples', 'banking77', 'demo.json'), 'utf8'));
const model = ['--model-config', JSON.stringify(demo.model)];
const weights = ['--steps', values.steps!, '--examples-per-step', String(demo.examplesPerStep), '--rollouts', String(demo.rollouts), '--val-every', '4', '--lr', String(demo.lr)];
const prompts = ['--trials', values.trials!, '--minibatch', '24', '--full-eval-every', '4'];

function run(ws: string, args: string[]): Record<string, number> {
  const r = spawnSync(process.execPath, [cli, ...args, '--json'], { cwd: ws, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`mmgrpo ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  const finished = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'run_finished').pop();
  return finished.summary as Record<string, number>;
}

function newestResult(ws: string): { bestCheckpointDir?: string } {
  const runs = readdirSync(join(ws, '.mmgrpo', 'runs')).sort();
  return JSON.parse(readFileSync(join(ws, '.mmgrpo', 'runs', runs[runs.length - 1], 'result.json'), 'utf8'));
}

const ws = mkdtempSync(join(tmpdir(), 'paper-'));
const t0 = Date.now();
// The base: a supervised warm start only (0 GRPO steps), shared by every column.
const base = run(ws, ['train', task, ...model, '--warm-start-epochs', String(demo.warmStartEpochs), '--warm-start-lr', String(demo.warmStartLr), '--steps', '0', '--seed', '0']);
const baseDir = newestResult(ws).bestCheckpointDir!;
console.error(`base model (warm start): val ${(100 * base['val/start']).toFixed(1)}%  ${baseDir}`);
const cols: Record<string, number[]> = { start: [], p: [], w: [], 'p -> w': [] };
for (let seed = 0; seed < Number(values.seeds); seed++) {
  const s = ['--seed', String(seed), '--init-from', baseDir];
  cols.start.push(base['val/start']);
  cols.p.push(run(ws, ['optimize', task, '--strategy', 'p', ...s, ...prompts, ...model])['val/best']);
  cols.w.push(run(ws, ['train', task, ...s, ...weights, ...model])['val/best']);
  cols['p -> w'].push(run(ws, ['optimize', task, '--strategy', 'p -> w', ...s, ...prompts, ...weights, ...model])['val/best']);
  console.error(`seed ${seed}: ${Object.entries(cols).map(([k, v]) => `${k} ${(100 * v[v.length - 1]).toFixed(1)}`).join(', ')}  (${Math.round((Date.now() - t0) / 1000)} s)`);
}
console.log(`\nBanking77 subset, embedded model, ${values.seeds} seeds (val score: 1 intent, 0.5 category only), mean ± std:`);
console.log('| start | prompts only (p) | MMGRPO only (w) | prompts then MMGRPO (p -> w) |');
console.log('|---|---|---|---|');
console.log(`| ${percentMeanStd(cols.start)} | ${percentMeanStd(cols.p)} | ${percentMeanStd(cols.w)} | ${percentMeanStd(cols['p -> w'])} |`);
