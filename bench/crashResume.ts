/**
 * Crash-and-resume benchmark: SIGKILLs `mmgrpo train` at seeded random points,
 * resumes each run, checks the run store and the event stream, and compares
 * the resumed run with an uninterrupted one of the same seed.
 *   npx tsx bench/crashResume.ts [--points 20] [--backend fake|embedded] [--seed 2026]
 *
 * Prints a table; exits 1 only when an integrity check fails (never on time).
 * Kill points alternate between "after k events on stdout" and "after t ms",
 * so some land before the first event (startup) and some mid-write.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { GroupRecord, RunEvent } from '../src/protocol/events';
import { isProcessAlive, readRun, type RunRead } from '../src/engine/runs';
import { seededRandom, type Random } from '../src/engine/util/rng';

const root = resolve(__dirname, '..');
const task = join(root, 'examples', 'banking77', 'task.ts');
const STAGE = 'mmgrpo';

type Backend = 'fake' | 'embedded';

interface Setup {
  backend: Backend;
  steps: number;
  trainArgs: string[];
}

function setupFor(backend: Backend): Setup {
  if (backend === 'fake') {
    const module = ['--backend-module', join(root, 'test', 'fixtures', 'fakeBackend.ts')];
    const steps = 4;
    const trainArgs = ['--steps', String(steps), '--examples-per-step', '2', '--rollouts', '4', '--val-every', '2', '--seed', '9',
      ...module];
    return { backend, steps, trainArgs };
  }
  // The real tiny model, shrunk so a whole run takes seconds. Enough steps and
  // a large learning rate that weights move: groups of step k are sampled with
  // the checkpointed weights of step k-1, so a fresh AdamW state after a resume
  // can only show from the second step after it.
  const steps = 5;
  const modelConfig = JSON.stringify({ dModel: 32, nLayer: 1, nHead: 2, mlpRatio: 2, contextLength: 160, maxPromptTokens: 128 });
  const trainArgs = ['--steps', String(steps), '--examples-per-step', '3', '--rollouts', '4', '--val-every', '5', '--seed', '9',
    '--max-tokens', '8', '--lr', '3e-3', '--model-config', modelConfig];
  return { backend, steps, trainArgs };
}

/** How a trial stops the child: after k stdout lines (events) or after t ms. */
type Kill = { events: number } | { ms: number };

interface Exit {
  signal: string;
  lines: number;
  ms: number;
}

/** Runs the CLI in `cwd`; SIGKILLs it at `kill` (if given). */
function runCli(args: string[], cwd: string, kill?: Kill): Promise<Exit> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), join(root, 'src', 'cli', 'main.ts'), ...args, '--json'], {
      cwd, env: { ...process.env, MMGRPO_API_KEY: '', OPENAI_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lines = 0;
    let timer: NodeJS.Timeout | undefined;
    if (kill && 'ms' in kill) timer = setTimeout(() => child.kill('SIGKILL'), kill.ms);
    child.stdout.on('data', (d: Buffer) => {
      for (const ch of d) if (ch === 10) lines++;
      if (kill && 'events' in kill && lines >= kill.events) child.kill('SIGKILL');
    });
    child.stderr.resume();
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      done({ signal: signal ?? String(code), lines, ms: performance.now() - t0 });
    });
  });
}

function onlyRun(ws: string): string | undefined {
  const runs = join(ws, '.mmgrpo', 'runs');
  if (!existsSync(runs)) return undefined;
  const ids = readdirSync(runs);
  if (ids.length > 1) throw new Error(`expected at most one run in ${runs}, found ${ids.length}`);
  return ids[0];
}

/** What one run's events say about its steps and validation. */
interface Digest {
  steps: number[];
  groups: Map<number, GroupRecord[]>;
  /** Last eval_finished per step (a step redone after a crash may validate twice). */
  val: Map<number, number>;
  finalVal?: number;
}

function digest(events: readonly RunEvent[]): Digest {
  const d: Digest = { steps: [], groups: new Map(), val: new Map() };
  for (const e of events) {
    if (e.type === 'step_finished' && e.stage === STAGE) {
      d.steps.push(e.step);
      d.groups.set(e.step, e.groups);
    }
    if (e.type === 'eval_finished' && e.step !== undefined) d.val.set(e.step, e.score);
    if (e.type === 'run_finished' && e.summary['val/final'] !== undefined) d.finalVal = e.summary['val/final'];
  }
  return d;
}

/** Integrity problems of a run read back from disk; empty when clean. */
function storeProblems(run: RunRead, label: string): string[] {
  const out: string[] = [];
  const seqs = run.events.map((e) => e.seq);
  if (seqs.some((s, k) => s !== k)) out.push(`${label}: sequence numbers are not 0..${seqs.length - 1}`);
  return out;
}

/** Checks of the finished, resumed run against what was on disk at the kill. */
function resumeProblems(before: RunEvent[], after: RunRead, steps: number): string[] {
  const out = storeProblems(after, 'after resume');
  if (after.status !== 'completed') out.push(`status after resume is ${after.status}`);
  const d = digest(after.events);
  const want = Array.from({ length: steps }, (_, i) => i + 1);
  if (JSON.stringify(d.steps) !== JSON.stringify(want)) out.push(`step_finished steps ${JSON.stringify(d.steps)}, want ${JSON.stringify(want)}`);
  const finishes = after.events.filter((e) => e.type === 'run_finished');
  const last = after.events[after.events.length - 1];
  if (last?.type !== 'run_finished') out.push('run_finished is not the last event');
  if (finishes.length !== 1) out.push(`${finishes.length} run_finished events`);
  // Append-only: everything written before the kill is still there, unchanged.
  const kept = after.events.slice(0, before.length);
  if (JSON.stringify(kept) !== JSON.stringify(before)) out.push('events written before the kill changed after the resume');
  return out;
}

interface Comparison {
  groupsSame: number;
  groupsTotal: number;
  valDiffMax: number;
  finalValDiff: number;
}

function compare(ref: Digest, got: Digest): Comparison {
  let same = 0;
  let total = 0;
  for (const [step, groups] of ref.groups) {
    const mine = got.groups.get(step) ?? [];
    groups.forEach((g, i) => {
      total++;
      if (JSON.stringify(g) === JSON.stringify(mine[i])) same++;
    });
  }
  let valDiffMax = 0;
  for (const [step, score] of ref.val) valDiffMax = Math.max(valDiffMax, Math.abs(score - (got.val.get(step) ?? NaN)));
  const finalValDiff = Math.abs((ref.finalVal ?? NaN) - (got.finalVal ?? NaN));
  return { groupsSame: same, groupsTotal: total, valDiffMax, finalValDiff };
}

interface Trial {
  kill: Kill;
  exit: Exit;
  eventsAtKill: number;
  stepsAtKill: number;
  tornTail: boolean;
  resumes: number;
  problems: string[];
  cmp?: Comparison;
}

/** One trial: start, kill, (sometimes kill the resume too), resume to the end, check. */
async function trial(s: Setup, kill: Kill, killResume: Kill | undefined, ref: Digest): Promise<Trial> {
  const ws = mkdtempSync(join(tmpdir(), 'crash-bench-'));
  try {
    const exit = await runCli(['train', task, ...s.trainArgs], ws, kill);
    const id = onlyRun(ws);
    const base: Trial = { kill, exit, eventsAtKill: 0, stepsAtKill: 0, tornTail: false, resumes: 0, problems: [] };
    if (!id) return { ...base, problems: exit.signal === 'SIGKILL' ? [] : ['no run folder after a run that was not killed'] };
    const dir = join(ws, '.mmgrpo', 'runs', id);
    const before = readRun(dir, isProcessAlive);
    const t: Trial = { ...base, eventsAtKill: before.events.length, stepsAtKill: digest(before.events).steps.length, tornTail: before.tornTail, problems: storeProblems(before, 'after kill') };
    if (exit.signal === 'SIGKILL' && before.status !== 'interrupted' && before.status !== 'completed') t.problems.push(`status after kill is ${before.status}`);
    let next = killResume;
    while (readRun(dir, isProcessAlive).status !== 'completed' && t.resumes < 4) {
      t.resumes++;
      const r = await runCli(['train', '--resume', id], ws, next);
      next = undefined;
      const mid = readRun(dir, isProcessAlive);
      t.problems.push(...storeProblems(mid, `after resume ${t.resumes}`));
      if (r.signal !== 'SIGKILL' && r.signal !== '0') t.problems.push(`resume ${t.resumes} exited with ${r.signal}`);
    }
    const after = readRun(dir, isProcessAlive);
    t.problems.push(...resumeProblems(before.events, after, s.steps));
    t.cmp = compare(ref, digest(after.events));
    return t;
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

/** The uninterrupted reference run: its digest, event count and duration. */
async function reference(s: Setup): Promise<{ ref: Digest; events: number; ms: number }> {
  const ws = mkdtempSync(join(tmpdir(), 'crash-bench-ref-'));
  try {
    const exit = await runCli(['train', task, ...s.trainArgs], ws);
    const id = onlyRun(ws);
    if (exit.signal !== '0' || !id) throw new Error(`the reference run failed (exit ${exit.signal})`);
    const run = readRun(join(ws, '.mmgrpo', 'runs', id), isProcessAlive);
    return { ref: digest(run.events), events: run.events.length, ms: exit.ms };
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

function drawKill(i: number, rand: Random, events: number, ms: number): Kill {
  // Odd trials kill by time, up to 110% of a whole run (a few finish first).
  if (i % 2 === 1) return { ms: Math.round(rand() * ms * 1.1) };
  return { events: 1 + Math.floor(rand() * (events - 1)) };
}

function describeKill(k: Kill): string {
  return 'events' in k ? `${k.events} ev` : `${k.ms} ms`;
}

function pct(a: number, b: number): string {
  return b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a';
}

function printTable(trials: Trial[]): void {
  const head = ['#', 'kill at', 'exit', 'events@kill', 'steps@kill', 'torn', 'resumes', 'groups same', 'max |Δval|', 'result'];
  const rows = trials.map((t, i) => [
    String(i + 1), describeKill(t.kill), t.exit.signal, String(t.eventsAtKill), String(t.stepsAtKill), t.tornTail ? 'yes' : '',
    String(t.resumes), t.cmp ? `${t.cmp.groupsSame}/${t.cmp.groupsTotal}` : '-', t.cmp ? t.cmp.valDiffMax.toFixed(4) : '-',
    t.problems.length ? `FAIL: ${t.problems.join('; ')}` : 'ok',
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (c === head.length - 1 ? 0 : r[c].length))));
  const line = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

function printSummary(s: Setup, trials: Trial[], refMs: number): void {
  const failed = trials.filter((t) => t.problems.length);
  const killed = trials.filter((t) => t.exit.signal === 'SIGKILL');
  const withCmp = trials.filter((t) => t.cmp);
  const same = withCmp.reduce((a, t) => a + t.cmp!.groupsSame, 0);
  const total = withCmp.reduce((a, t) => a + t.cmp!.groupsTotal, 0);
  const valMax = Math.max(0, ...withCmp.map((t) => t.cmp!.valDiffMax));
  const finalMean = withCmp.reduce((a, t) => a + t.cmp!.finalValDiff, 0) / Math.max(1, withCmp.length);
  console.log(`\nbackend ${s.backend}: ${trials.length} trials, ${killed.length} killed by SIGKILL (${trials.filter((t) => t.tornTail).length} left a torn last line, ${trials.filter((t) => t.eventsAtKill === 0).length} before any event), ${trials.reduce((a, t) => a + t.resumes, 0)} resumes`);
  console.log(`integrity: ${trials.length - failed.length}/${trials.length} trials clean (store reads, seq 0..n-1, steps 1..${s.steps} once each, run_finished last, pre-kill events unchanged)`);
  console.log(`vs uninterrupted run (same seed): identical groups ${same}/${total} (${pct(same, total)}); max |Δ val score| at a step ${valMax.toFixed(4)}; mean |Δ final val| ${finalMean.toFixed(4)}`);
  console.log(`reference run took ${(refMs / 1000).toFixed(1)} s (for scale only)`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { points: { type: 'string' }, backend: { type: 'string' }, seed: { type: 'string' } } });
  const points = Number(values.points ?? 20);
  const backend = (values.backend ?? 'fake') as Backend;
  if (!Number.isInteger(points) || points < 1) throw new Error(`--points must be a whole number >= 1 (got ${values.points})`);
  if (backend !== 'fake' && backend !== 'embedded') throw new Error(`--backend must be fake or embedded (got ${values.backend})`);
  const s = setupFor(backend);
  const rand = seededRandom(Number(values.seed ?? 2026));
  const { ref, events, ms } = await reference(s);
  console.log(`reference: ${events} events, steps ${JSON.stringify(ref.steps)}, final val ${ref.finalVal}`);
  const trials: Trial[] = [];
  for (let i = 0; i < points; i++) {
    const kill = drawKill(i, rand, events, ms);
    // Every fourth trial also kills its first resume: a resume of a resume.
    const killResume = i % 4 === 3 ? { events: 2 + Math.floor(rand() * (events / 2)) } : undefined;
    trials.push(await trial(s, kill, killResume, ref));
    process.stderr.write(`trial ${i + 1}/${points} ${trials[i].problems.length ? 'FAIL' : 'ok'}\n`);
  }
  printTable(trials);
  printSummary(s, trials, ms);
  if (trials.some((t) => t.problems.length)) process.exitCode = 1;
}

// Also loaded as a backend module inside the model server's worker: only run as a script.
if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
