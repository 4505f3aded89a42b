import type { FileState, IndexedProgram, IndexedTask, Range, ResolvedPredictor } from '../../engine/discovery';
import { COMMANDS } from '../commands';
import { formatScore } from '../../protocol/scoreFormat';
import { lastModuleStats, type RunInfo, promptChange, runKindLabel, runsOfTasks, samePath, strategyWords, valScoreOf } from '../runs/runFacts';

// Which code lenses a file shows, as plain data. The VS Code provider only
// converts these to CodeLens objects, so all the logic is tested in Node.

export interface LensSpec {
  range: Range;
  title: string;
  command: string;
  args: unknown[];
  tooltip?: string;
}

export interface LensInput {
  file: string;
  /** The index's state of the file; no state or a stale one means no lenses. */
  state: FileState | undefined;
  tasks: readonly IndexedTask[];
  programs: readonly IndexedProgram[];
  predictorsOf(programName: string, programFile: string): ResolvedPredictor[] | undefined;
  /** All runs of the workspace, newest first. */
  runs: readonly RunInfo[];
  /** The one-click Train's strategy (setting mmgrpo.trainStrategy): the Train lens names its stages. */
  trainStrategy: string;
  /** Restricted Mode runs nothing: the lenses that run the task's code say so instead of offering it. */
  trusted: boolean;
}

/** Suffix of a lens that cannot run in Restricted Mode (the click still explains and offers trust). */
export const NEEDS_TRUST = ' (trust workspace to enable)';
const TRUST_TOOLTIP = 'Restricted Mode: MMGRPO runs your task file\'s code, so this needs a trusted workspace. Click for how to trust it.';

/** Arguments of the apply command: enough to find the predictor again in the current text. */
export interface ApplyInstructionArgs {
  file: string;
  program: string;
  programFile: string;
  predictor: string;
  instructions: string;
  runId: string;
}

export interface PromptDiffArgs {
  runDir: string;
  module: string;
}

export function computeLenses(input: LensInput): LensSpec[] {
  if (!input.state || input.state.stale) return [];
  const out: LensSpec[] = [];
  for (const t of input.tasks) if (samePath(t.file, input.file)) out.push(...taskLenses(input, t));
  const seen = new Set<string>();
  for (const p of input.programs) {
    if (!samePath(p.file, input.file)) continue;
    out.push(...programLenses(input, p));
    for (const l of predictorLenses(input, p)) {
      // A predictor inherited by several programs would repeat its lenses.
      const key = `${l.range.start.line}:${l.range.start.character}:${l.title}`;
      if (!seen.has(key)) out.push(l);
      seen.add(key);
    }
  }
  return out;
}

function taskLenses(input: LensInput, t: IndexedTask): LensSpec[] {
  // Above the `export default defineTask(` statement, as lenses sit above a declaration.
  const range = t.range;
  const arg = { taskFile: t.file, taskName: t.name };
  const n = runsOfTasks(input.runs, [t.file]).length;
  const train = `Train (${strategyWords(input.trainStrategy)})`;
  const runs: LensSpec[] = [
    { range, title: train, command: COMMANDS.train, args: [arg], tooltip: `Runs "${input.trainStrategy}" (setting mmgrpo.trainStrategy: p = prompt optimization, w = MMGRPO on the weights) as a terminal task` },
    { range, title: 'Optimize prompts', command: COMMANDS.optimize, args: [arg] },
    { range, title: 'Evaluate', command: COMMANDS.evaluate, args: [arg] },
  ];
  // Untrusted: shown as unavailable, not hidden, so the user learns what trust unlocks.
  const shown = input.trusted ? runs : runs.map((l) => ({ ...l, title: `${l.title}${NEEDS_TRUST}`, tooltip: TRUST_TOOLTIP }));
  return [...shown, { range, title: `Runs (${n})`, command: COMMANDS.showRuns, args: [arg] }];
}

function programRuns(input: LensInput, p: IndexedProgram): RunInfo[] {
  const taskFiles = input.tasks.filter((t) => t.programRef && t.programRef.name === p.name && samePath(t.programRef.file, p.file)).map((t) => t.file);
  return taskFiles.length ? runsOfTasks(input.runs, taskFiles) : [];
}

function programLenses(input: LensInput, p: IndexedProgram): LensSpec[] {
  for (const run of programRuns(input, p)) {
    const score = valScoreOf(run);
    if (score === undefined) continue;
    return [{ range: p.nameRange, title: `Last val score ${formatScore(score)} · ${runKindLabel(run.manifest)} · ${run.id}`, command: COMMANDS.openRun, args: [{ runDir: run.dir }] }];
  }
  return [];
}

function predictorLenses(input: LensInput, p: IndexedProgram): LensSpec[] {
  const runs = programRuns(input, p);
  const preds = (input.predictorsOf(p.name, p.file) ?? []).filter((x) => samePath(x.file, input.file));
  if (runs.length === 0 || preds.length === 0) return [];
  const out: LensSpec[] = [];
  for (const pred of preds) {
    const statsRun = runs.find((r) => lastModuleStats(r, pred.name));
    const stats = statsRun && lastModuleStats(statsRun, pred.name);
    if (statsRun && stats) {
      const title = `${pred.name}: ${stats.groups} groups · mean reward ${stats.rewardMean.toFixed(3)} · ${formatScore(stats.fracRewardZeroStd)} zero-variance (step ${stats.step})`;
      out.push({ range: pred.fieldRange, title, command: COMMANDS.openRun, args: [{ runDir: statsRun.dir, step: stats.step }] });
    }
    const changeRun = runs.find((r) => promptChange(r, pred.name));
    const change = changeRun && promptChange(changeRun, pred.name);
    if (!changeRun || !change) continue;
    if (change.instructionsChanged || change.demosChanged) {
      const args: PromptDiffArgs = { runDir: changeRun.dir, module: pred.name };
      out.push({ range: pred.fieldRange, title: 'Prompt diff', command: COMMANDS.promptDiff, args: [args] });
    }
    const current = pred.instructions ?? change.before?.instructions;
    if (pred.instructionEdit && change.after.instructions !== current) {
      const args: ApplyInstructionArgs = { file: input.file, program: p.name, programFile: p.file, predictor: pred.name, instructions: change.after.instructions, runId: changeRun.id };
      out.push({ range: pred.instructionsRange ?? pred.range, title: 'Apply optimized instruction', command: COMMANDS.applyInstruction, args: [args], tooltip: `From run ${changeRun.id}` });
    }
  }
  return out;
}
