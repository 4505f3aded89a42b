import { strict as assert } from 'node:assert';
import { WorkspaceIndex } from '../../../../src/engine/discovery';
import { computeLenses, type LensInput } from '../../../../src/extension/lenses/computeLenses';
import { COMMANDS } from '../../../../src/extension/commands';
import { runKindLabel } from '../../../../src/extension/runs/runFacts';
import type { StepFinishedEvent } from '../../../../src/protocol/events';
import { ev, manifest, run, state, stats } from '../helpers';

const FILE = '/w/task.ts';
// One file holding a program and its task: the smallest workspace with every lens kind.
const SOURCE = `import { defineTask, Module, Predict } from 'mmgrpo';
class QA extends Module {
  answer = new Predict('question -> answer', { instructions: 'Answer briefly.' });
  async forward(input: { question: string }) { return this.answer.forward(input); }
}
export default defineTask({ name: 'qa', program: new QA(), inputs: ['question'], trainset: [], metric: () => 0 });
`;

function input(index: WorkspaceIndex, runs: LensInput['runs']): LensInput {
  return { file: FILE, state: index.file(FILE), tasks: index.tasks(), programs: index.programs(), predictorsOf: (n, f) => index.predictorsOf(n, f), runs, trainStrategy: 'p -> w', trusted: true };
}

function step(n: number, over: Partial<StepFinishedEvent> = {}): StepFinishedEvent {
  return ev<StepFinishedEvent>({ type: 'step_finished', stage: 'mmgrpo', step: n, groups: [], modules: [stats('answer', { groups: 8, rewardMean: 0.625, fracRewardZeroStd: 0.5 })], trainer: {}, rewardMean: 0.6, rewardStd: 0.2, rollouts: { total: 8, formatFailures: 0, failures: 0 }, budget: { lmCalls: 0, tokens: 0, seconds: 0 }, ...over });
}

describe('computeLenses', () => {
  it('shows the four task lenses with the run count of that task file only', () => {
    const index = new WorkspaceIndex();
    index.update(FILE, SOURCE);
    const runs = [run(manifest({ id: 'r2', taskFile: FILE }), []), run(manifest({ id: 'r1', taskFile: FILE }), []), run(manifest({ id: 'x', taskFile: '/w/other.ts' }), [])];
    const lenses = computeLenses(input(index, runs));
    const task = lenses.filter((l) => l.range.start.line === 5);
    assert.deepEqual(task.map((l) => l.title), ['Train (prompts → weights)', 'Optimize prompts', 'Evaluate', 'Runs (2)']);
    assert.deepEqual(task.map((l) => l.command), [COMMANDS.train, COMMANDS.optimize, COMMANDS.evaluate, COMMANDS.showRuns]);
    assert.deepEqual(task[0].args, [{ taskFile: FILE, taskName: 'qa' }]);
  });

  it('names the Train lens after the strategy setting, in the words the Runs view uses for its run', () => {
    const index = new WorkspaceIndex();
    index.update(FILE, SOURCE);
    const titleFor = (trainStrategy: string) => computeLenses({ ...input(index, []), trainStrategy })[0]!.title;
    assert.equal(titleFor('w -> p'), 'Train (weights → prompts)');
    assert.equal(titleFor('p -> w -> p'), 'Train (prompts → weights → prompts)');
    // The run that click records is an `optimize` run with that strategy: the tree calls it the same.
    assert.equal(runKindLabel(manifest({ id: 'r', taskFile: FILE, kind: 'optimize', config: { strategy: 'w -> p' } })), titleFor('w -> p'));
  });

  it('in Restricted Mode shows Train, Optimize prompts and Evaluate as unavailable (still clickable: the click explains)', () => {
    const index = new WorkspaceIndex();
    index.update(FILE, SOURCE);
    const task = computeLenses({ ...input(index, []), trusted: false }).filter((l) => l.range.start.line === 5);
    assert.deepEqual(task.map((l) => l.title), ['Train (prompts → weights) (trust workspace to enable)', 'Optimize prompts (trust workspace to enable)', 'Evaluate (trust workspace to enable)', 'Runs (0)']);
    assert.ok(task.slice(0, 3).every((l) => /trusted workspace/.test(l.tooltip ?? '')), 'the tooltip says why');
    assert.deepEqual(task.map((l) => l.command), [COMMANDS.train, COMMANDS.optimize, COMMANDS.evaluate, COMMANDS.showRuns]);
  });

  it('links the program to its latest run with a val score, and summarizes reward groups per predictor', () => {
    const index = new WorkspaceIndex();
    index.update(FILE, SOURCE);
    const newest = run(manifest({ id: 'new', taskFile: FILE }), [step(1), step(2, { modules: [stats('answer', { groups: 12, rewardMean: 0.75, fracRewardZeroStd: 0.25 })] })], { summary: { 'val/score': 0.8125 } });
    const older = run(manifest({ id: 'old', taskFile: FILE }), [], { summary: { 'val/score': 0.1 } });
    const lenses = computeLenses(input(index, [newest, older]));
    const prog = lenses.find((l) => l.range.start.line === 1)!;
    assert.equal(prog.title, 'Last val score 81.3% · Train weights (MMGRPO) · new');
    assert.deepEqual(prog.args, [{ runDir: '/runs/new' }]);
    const group = lenses.find((l) => l.range.start.line === 2 && l.command === COMMANDS.openRun)!;
    assert.equal(group.title, 'answer: 12 groups · mean reward 0.750 · 25.0% zero-variance (step 2)');
    assert.deepEqual(group.args, [{ runDir: '/runs/new', step: 2 }]);
    assert.ok(!lenses.some((l) => l.command === COMMANDS.applyInstruction), 'no result.json: nothing to apply');
  });

  it('offers prompt diff and apply only when the optimized instruction differs from the source', () => {
    const index = new WorkspaceIndex();
    index.update(FILE, SOURCE);
    const m = manifest({ id: 'opt', taskFile: FILE, programStateBefore: state({ answer: 'Answer briefly.' }) });
    const changed = run(m, [], { resultState: state({ answer: 'Answer with one word.' }) });
    const lenses = computeLenses(input(index, [changed]));
    const apply = lenses.find((l) => l.command === COMMANDS.applyInstruction)!;
    assert.ok(apply, 'apply lens');
    // Above the instruction literal itself, on line 3 (0-based 2).
    assert.equal(apply.range.start.line, 2);
    assert.deepEqual(apply.args[0], { file: FILE, program: 'QA', programFile: FILE, predictor: 'answer', instructions: 'Answer with one word.', runId: 'opt' });
    assert.ok(lenses.some((l) => l.title === 'Prompt diff'));

    const same = run(m, [], { resultState: state({ answer: 'Answer briefly.' }) });
    const none = computeLenses(input(index, [same]));
    assert.ok(!none.some((l) => l.command === COMMANDS.applyInstruction || l.title === 'Prompt diff'));
  });

  it('shows no lenses for a file whose current text has syntax errors', () => {
    const index = new WorkspaceIndex();
    index.update(FILE, SOURCE);
    index.update(FILE, SOURCE.replace("answer = new Predict('question -> answer',", "answer = new Predict('question -> answer'"));
    assert.equal(index.file(FILE)!.stale, true);
    assert.deepEqual(computeLenses(input(index, [])), []);
    assert.deepEqual(computeLenses({ ...input(index, []), state: undefined }), []);
  });
});
