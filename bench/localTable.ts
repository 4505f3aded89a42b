// The learning table on the bundled example with the local backend: a real
// pretrained model (SmolLM2-135M-Instruct by default) on the CPU, start vs
// prompt optimization (p: bootstrapped demos + instructions proposed by the
// local model itself), several seeds, mean ± std of the validation score.
// Slow: minutes per seed on two cores.
// Usage: npm run build && npx tsx bench/localTable.ts [--seeds 3] [--trials 8] [--model smollm2]
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { percentMeanStd } from './lib/stats';

const root = resolve(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const task = join(root, 'examples', 'banking77', 'task.ts');
const { values } = parseArgs({
  options: { seeds: { type: 'string', default: '3' }, trials: { type: 'string', default: '8' }, model: { type: 'string', default: 'smollm2' }, minibatch: { type: 'string', default: '24' } },
});
const prompts = ['--trials', values.trials!, '--minibatch', values.minibatch!, '--full-eval-every', '4', '--instruction-candidates', '4'];

interface Finished {
  summary: Record<string, number>;
  /** The p stage's full val evaluation of the program it started from. */
  start: number;
  proposals: number;
}

function run(ws: string, args: string[]): Finished {
  const r = spawnSync(process.execPath, [cli, ...args, '--json'], { cwd: ws, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`mmgrpo ${args.join(' ')} failed: ${r.stderr.slice(-800)}`);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; summary?: Record<string, number>; instructions?: unknown[]; detail?: Record<string, number> });
  const finished = events.filter((e) => e.type === 'run_finished').pop()!;
  // Instructions beyond the first (the current one) were written by the model.
  const proposals = events.filter((e) => e.type === 'prompt_instructions').reduce((n, e) => n + Math.max(0, (e.instructions?.length ?? 1) - 1), 0);
  const stage = events.find((e) => e.type === 'stage_summary')!;
  return { summary: finished.summary!, start: stage.detail!.baselineScore, proposals };
}

const ws = mkdtempSync(join(tmpdir(), 'local-table-'));
const t0 = Date.now();
const cols: Record<string, number[]> = { start: [], p: [] };
for (let seed = 0; seed < Number(values.seeds); seed++) {
  const r = run(ws, ['optimize', task, '--strategy', 'p', '--backend', 'local', '--model', values.model!, '--seed', String(seed), ...prompts]);
  cols.start.push(r.start);
  cols.p.push(r.summary['val/best']);
  console.error(`seed ${seed}: start ${(100 * r.start).toFixed(1)}, p ${(100 * r.summary['val/best']).toFixed(1)}, ${r.proposals} proposed instructions  (${Math.round((Date.now() - t0) / 1000)} s)`);
}
console.log(`\nBanking77 subset, local backend (${values.model}), ${values.seeds} seeds (val score: 1 intent, 0.5 category only), mean ± std:`);
console.log('| start | prompts (p: demos + proposed instructions) |');
console.log('|---|---|');
console.log(`| ${percentMeanStd(cols.start)} | ${percentMeanStd(cols.p)} |`);
