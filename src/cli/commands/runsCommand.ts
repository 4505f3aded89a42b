import type { EvalFinishedEvent } from '../../protocol/events';
import { isProcessAlive, listRuns, readRun, type RunRead } from '../../engine/runs';
import { parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { runDirOf, runsDirOption } from '../runLookup';
import { formatScore, isScoreKey } from '../../protocol/scoreFormat';

export const RUNS_HELP = `Usage: mmgrpo runs <list|show> [options]

  mmgrpo runs list [--json]        runs in .mmgrpo/runs, newest first
  mmgrpo runs show <id> [--json]   one run: config, status, scores (--json: manifest + events)

Options (defaults in brackets):
  --runs-dir <dir>   where runs are stored [.mmgrpo/runs]
  --json             machine-readable output
  -h, --help         this text (\`mmgrpo runs list --help\`, \`mmgrpo runs show --help\`: theirs)`;

export const RUNS_LIST_HELP = `Usage: mmgrpo runs list [--json] [--runs-dir <dir>]

Lists the recorded runs, newest first: id, kind (eval, train, optimize),
task, status and the run's scores.

Options (defaults in brackets):
  --runs-dir <dir>   where runs are stored [.mmgrpo/runs]
  --json             one JSON object per run and line: id, kind, task, status, createdAt, summary
  -h, --help         this text`;

export const RUNS_SHOW_HELP = `Usage: mmgrpo runs show <id> [--json] [--runs-dir <dir>]

Shows one run (an id from \`mmgrpo runs list\`, or a run folder): task,
creation, seed, modules, every evaluation labelled with its stage and step,
LM usage and the error that ended it, if any.

Options (defaults in brackets):
  --runs-dir <dir>   where runs are stored [.mmgrpo/runs]
  --json             the manifest and status on the first line, then every event as a JSON line
  -h, --help         this text`;

const SUBCOMMAND_HELP: Record<string, string> = { list: RUNS_LIST_HELP, show: RUNS_SHOW_HELP };

export async function runsCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('runs', argv, { 'runs-dir': { type: 'string' }, json: { type: 'boolean' } });
  if (v.help || positionals.length === 0) {
    process.stdout.write((SUBCOMMAND_HELP[positionals[0]] ?? RUNS_HELP) + '\n');
    return v.help ? EXIT.ok : EXIT.usage;
  }
  const root = runsDirOption(v);
  const [sub, id, ...rest] = positionals;
  if (sub === 'list') {
    if (id) throw new UsageError('mmgrpo runs list takes no arguments.');
    return listCommand(root, Boolean(v.json));
  }
  if (sub === 'show') {
    if (!id || rest.length) throw new UsageError('mmgrpo runs show: give one run id, e.g. `mmgrpo runs show 20261130-101502-banking77-3fa9` (see `mmgrpo runs list`).');
    return showCommand(root, id, Boolean(v.json));
  }
  throw new UsageError(`mmgrpo runs: unknown subcommand "${sub}" (use list or show).`);
}

function listCommand(root: string, json: boolean): number {
  const runs = listRuns(root, isProcessAlive);
  if (json) {
    for (const r of runs) process.stdout.write(JSON.stringify({ id: r.id, kind: r.manifest.kind, task: r.manifest.taskName, status: r.status, createdAt: r.manifest.createdAt, summary: r.summary }) + '\n');
    return EXIT.ok;
  }
  if (runs.length === 0) {
    process.stdout.write(`No runs in ${root}.\n`);
    return EXIT.ok;
  }
  const rows = runs.map((r) => [r.id, r.manifest.kind, r.manifest.taskName, r.status, formatSummary(r.summary)]);
  process.stdout.write(table(['ID', 'KIND', 'TASK', 'STATUS', 'SCORES'], rows));
  return EXIT.ok;
}

function showCommand(root: string, id: string, json: boolean): number {
  const run = readRun(runDirOf(id, root), isProcessAlive);
  if (json) {
    process.stdout.write(JSON.stringify({ manifest: run.manifest, status: run.status }) + '\n');
    for (const e of run.events) process.stdout.write(JSON.stringify(e) + '\n');
    return EXIT.ok;
  }
  process.stdout.write(describeRun(run));
  return EXIT.ok;
}

export function describeRun(run: RunRead): string {
  const m = run.manifest;
  const lines = [
    `Run ${m.id} (${m.kind}) — ${run.status}`,
    `  task      ${m.taskName} (${m.taskFile})`,
    `  created   ${m.createdAt}   seed ${m.seed}   engine ${m.engineVersion}${m.gitCommit ? `   commit ${m.gitCommit}` : ''}`,
    `  modules   ${Object.keys(m.programStateBefore.predictors).join(', ') || '(none)'}`,
  ];
  for (const e of run.events) {
    if (e.type === 'eval_finished') lines.push(`  ${evalLabel(e).padEnd(22)} ${e.split} score ${formatScore(e.score)} (${e.count} examples, ${e.errors} errors)`);
    if (e.type === 'usage') lines.push(`  usage     ${e.calls} LM calls, ${e.promptTokens} prompt + ${e.completionTokens} completion tokens${e.cost !== undefined ? `, cost ${e.cost.toFixed(4)}` : ''}`);
    if (e.type === 'run_finished' && e.error) lines.push(`  error     ${e.error}`);
  }
  if (run.tornTail) lines.push('  note      the last event line was cut short (the run was interrupted mid-write)');
  return lines.join('\n') + '\n';
}

/** Which evaluation a score line is: its stage, and the training step when it validated one. */
function evalLabel(e: EvalFinishedEvent): string {
  return `${e.stage}${e.step !== undefined ? ` step ${e.step}` : ''}`;
}

export function formatSummary(summary: Record<string, number>): string {
  return Object.entries(summary)
    .filter(([k]) => isScoreKey(k))
    .map(([k, val]) => `${k}=${formatScore(val)}`)
    .join(' ');
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n') + '\n';
}
