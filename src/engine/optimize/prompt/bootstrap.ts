import type { ModuleCallRecord } from '../../../protocol/trace';
import { ChatAdapter, type Adapter } from '../../adapters';
import { evaluate } from '../../evaluate';
import type { LanguageModel } from '../../lm/types';
import type { Module } from '../../program/module';
import type { Example, Task } from '../../tasks/types';
import { deriveSeed, seededRandom, shuffle } from '../../util/rng';
import { labeledCalls } from '../labeledExamples';
import { requireWholeNumbers } from './wholeNumbers';

export type Demo = Record<string, unknown>;

export interface BootstrapOptions {
  program: Module;
  task: Task;
  lm: LanguageModel;
  adapter?: Adapter;
  /** Program whose passing traces become demos; defaults to `program`. Module names must match. */
  teacher?: Module;
  /** Most demos per set taken from teacher traces. */
  maxBootstrapped: number;
  /** Most demos per set taken straight from labeled examples. */
  maxLabeled: number;
  /** Demo sets per module, the empty (zero-shot) set included. */
  numSets: number;
  seed: number;
  concurrency: number;
  /** A trace passes when the metric is >= threshold. */
  threshold: number;
  signal?: AbortSignal;
}

export interface BootstrapResult {
  /** Per module name: candidate demo sets; set 0 is always empty. */
  demoSets: Record<string, Demo[][]>;
  lmCalls: number;
  promptTokens: number;
  completionTokens: number;
  /** Teacher runs made and how many of them passed. */
  tracesRun: number;
  tracesPassed: number;
  cancelled: boolean;
  /**
   * One recorded teacher run (a passing one when there is one), so the
   * instruction proposer can see how modules connect; absent when none ran.
   */
  sample?: { trace: ModuleCallRecord[]; inputs: Record<string, unknown>; passed: boolean };
}

/** A demo plus the train example it came from, so a set never shows one example twice. */
interface SourcedDemo {
  exampleKey: number;
  demo: Demo;
}

/**
 * Builds candidate few-shot demo sets per module: demos from the teacher's
 * passing traces (one per module call) and labeled demos from the dataset.
 * Sets differ by seeded shuffles, so the search has real alternatives.
 */
export async function bootstrapDemoSets(opts: BootstrapOptions): Promise<BootstrapResult> {
  checkOptions(opts);
  const modules = opts.program.namedPredictors().map(([n]) => n);
  const traced = await collectPassingTraces(opts, new Set(modules));
  const labeled = labeledByModule(opts, modules);
  const demoSets: Record<string, Demo[][]> = {};
  for (const [mi, module] of modules.entries()) {
    demoSets[module] = buildSets(opts, mi, traced.demos.get(module) ?? [], labeled.get(module) ?? []);
  }
  return { demoSets, ...traced.stats };
}

function checkOptions(opts: BootstrapOptions): void {
  requireWholeNumbers('bootstrapDemoSets', opts, { maxBootstrapped: 0, maxLabeled: 0, numSets: 1, concurrency: 1 });
  if (!Number.isFinite(opts.threshold)) throw new Error(`bootstrapDemoSets: \`threshold\` must be a finite number, got ${String(opts.threshold)}.`);
}

async function collectPassingTraces(opts: BootstrapOptions, modules: Set<string>) {
  const demos = new Map<string, SourcedDemo[]>();
  const stats: Omit<BootstrapResult, 'demoSets'> = { lmCalls: 0, promptTokens: 0, completionTokens: 0, tracesRun: 0, tracesPassed: 0, cancelled: false };
  // Enough passing traces for every non-empty set to draw different demos; more would only cost calls.
  const wanted = opts.maxBootstrapped * Math.max(1, opts.numSets - 1);
  if (wanted === 0) return { demos, stats };
  const order = shuffle(opts.task.trainset.map((_, i) => i), seededRandom(deriveSeed(opts.seed, 0)));
  const teacher = opts.teacher ?? opts.program;
  for (let start = 0; start < order.length && stats.tracesPassed < wanted; start += opts.concurrency) {
    const batch = order.slice(start, start + opts.concurrency);
    const result = await evaluate({
      task: opts.task,
      program: teacher,
      dataset: batch.map((i) => opts.task.trainset[i]),
      lm: opts.lm,
      concurrency: opts.concurrency,
      sampling: { temperature: 0 },
      adapter: opts.adapter,
      signal: opts.signal,
    });
    for (const r of result.results) {
      stats.tracesRun++;
      countUsage(stats, r.trace);
      if (r.error !== undefined) continue;
      const passed = r.score >= opts.threshold;
      if (!stats.sample || (passed && !stats.sample.passed)) stats.sample = { trace: r.trace, inputs: r.inputs, passed };
      if (!passed) continue;
      stats.tracesPassed++;
      addTraceDemos(demos, modules, batch[r.index], r.trace);
    }
    if (!result.complete || opts.signal?.aborted) {
      stats.cancelled = true;
      break;
    }
  }
  return { demos, stats };
}

function countUsage(stats: { lmCalls: number; promptTokens: number; completionTokens: number }, trace: readonly ModuleCallRecord[]): void {
  for (const call of trace) {
    stats.lmCalls++;
    stats.promptTokens += call.usage?.promptTokens ?? 0;
    stats.completionTokens += call.usage?.completionTokens ?? 0;
  }
}

function addTraceDemos(into: Map<string, SourcedDemo[]>, modules: Set<string>, exampleKey: number, trace: readonly ModuleCallRecord[]): void {
  for (const call of trace) {
    // A teacher module the student lacks has nowhere to put its demo.
    if (!call.outputs || !modules.has(call.module)) continue;
    const list = into.get(call.module) ?? [];
    list.push({ exampleKey, demo: { ...call.inputs, ...call.outputs } });
    into.set(call.module, list);
  }
}

function labeledByModule(opts: BootstrapOptions, modules: string[]): Map<string, SourcedDemo[]> {
  const out = new Map<string, SourcedDemo[]>(modules.map((m) => [m, []]));
  if (opts.maxLabeled === 0) return out;
  const adapter = opts.adapter ?? new ChatAdapter();
  for (const call of labeledCalls(opts.program, opts.task.trainset as Example[], adapter)) {
    out.get(call.module)?.push({ exampleKey: call.exampleIndex, demo: { ...call.inputs, ...call.outputs } });
  }
  return out;
}

function buildSets(opts: BootstrapOptions, moduleIndex: number, traced: SourcedDemo[], labeled: SourcedDemo[]): Demo[][] {
  const sets: Demo[][] = [[]];
  const seen = new Set<string>([JSON.stringify([])]);
  // A few extra draws so duplicate shuffles (tiny pools) do not leave the set list short.
  for (let s = 1; sets.length < opts.numSets && s < opts.numSets * 4; s++) {
    const rand = seededRandom(deriveSeed(opts.seed, 1, moduleIndex, s));
    const fromTraces = shuffle(traced, rand).slice(0, opts.maxBootstrapped);
    const used = new Set(fromTraces.map((d) => d.exampleKey));
    const fromLabels = shuffle(labeled.filter((d) => !used.has(d.exampleKey)), rand).slice(0, opts.maxLabeled);
    const set = [...fromTraces, ...fromLabels].map((d) => ({ ...d.demo }));
    const key = JSON.stringify(set);
    if (seen.has(key)) continue;
    seen.add(key);
    sets.push(set);
  }
  return sets;
}
