import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EvalFinishedEvent, PromptInstructionsEvent } from '../../../src/protocol/events';
import { driver, shot } from './driver';
import { eventsOf, runFromTaskLens } from './runs';
import { api, lensesOf, openFile, sleep, waitFor, wsFile } from './util';

// The local backend: a real pretrained model (smollm2, SmolLM2-135M-Instruct)
// on the CPU, which the test command pulls before the suites. Not mocked and
// not skipped: without the model the first click fails with the store's message.

/** Evaluate: the first val examples only (each is two calls of the real model). */
const LOCAL_EVAL_ARGS = ['--limit', '6'];

/**
 * Optimize prompts, sized for two shared cores: instructions only (no demo
 * sets, so no bootstrapping: MIPROv2's zero-shot mode), two proposals per
 * module written by the local model, one trial on a minibatch of four, then
 * the full evaluations the search needs (baseline, the trial's candidate).
 */
const LOCAL_RUN_ARGS = ['--trials', '1', '--minibatch', '4', '--demo-sets', '1', '--max-demos', '0', '--instruction-candidates', '2', '--concurrency', '4', '--seed', '3'];

const LOCAL_MODEL = 'smollm2';

/** Per run: one or two minutes on two quiet cores, over ten when other work shares them. */
const RUN_TIMEOUT_MS = 15 * 60_000;

type RunConfig = { backend?: string; model?: string; fromRun?: string; strategy?: string; mmgrpo?: { backend?: { kind?: string; model?: string } } };
const configOf = (runDir: string): RunConfig => (JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { config: RunConfig }).config;

async function evaluateOnLocalModel(): Promise<void> {
  const run = await runFromTaskLens('Evaluate', 'mmgrpo.evaluate', 'the evaluation on the local model', RUN_TIMEOUT_MS);
  const config = configOf(run.dir);
  assert.equal(config.backend, 'local');
  assert.equal(config.model, LOCAL_MODEL, 'the setting mmgrpo.localModel\'s default');
  assert.equal(config.fromRun, undefined, 'the program as written: no local prompt optimization yet');
  const finished = eventsOf(run.dir).find((e): e is EvalFinishedEvent => e.type === 'eval_finished');
  assert.ok(finished && finished.count === 6, 'six val examples evaluated');
  assert.ok(finished.errors / finished.count < 0.05, `format failures: ${finished.errors} of ${finished.count}`);
  assert.equal(run.valScore, finished.score);
  // The program's lens shows the new val score.
  await openFile(wsFile('program.ts'));
  await waitFor('the val score lens of the local evaluation', async () => (await lensesOf(wsFile('program.ts'))).some((l) => l.command!.title.startsWith('Last val score') && l.command!.title.includes(run.id)));
  if (driver()) await waitFor('the val score lens in the DOM', async () => (await driver()!.lensTexts()).some((t) => t.includes(run.id)));
  await shot('15-local-evaluate');
}

/** Train on the local model: the click says why not, and nothing starts. */
async function trainIsRefused(): Promise<void> {
  const a = await api();
  const before = a.runs().length;
  await openFile(wsFile('task.ts'));
  const ui = driver();
  if (ui) await ui.clickLens('Train (prompts → weights)');
  else await vscode.commands.executeCommand('mmgrpo.train', { taskFile: wsFile('task.ts'), taskName: 'banking77' });
  if (ui) await waitFor('the explanation', async () => /local backend runs inference only, so weights cannot train/.test(await ui.text('.notifications-toasts')));
  await sleep(1500);
  assert.deepEqual(a.activeRuns(), [], 'no run started');
  await a.reloadRuns();
  assert.equal(a.runs().length, before, 'no run recorded');
  await shot('16-local-train-refused');
  await vscode.commands.executeCommand('notifications.clearAll');
}

async function optimizePromptsOnLocalModel(): Promise<void> {
  const run = await runFromTaskLens('Optimize prompts', 'mmgrpo.optimize', 'the prompt optimization on the local model', RUN_TIMEOUT_MS);
  assert.equal(run.kind, 'optimize');
  const config = configOf(run.dir);
  assert.equal(config.strategy, 'p');
  assert.deepEqual(config.mmgrpo?.backend, { kind: 'local', model: LOCAL_MODEL });
  // The local model itself wrote instruction candidates (index 0 is the module's own instruction).
  const proposals = eventsOf(run.dir).filter((e): e is PromptInstructionsEvent => e.type === 'prompt_instructions');
  assert.ok(proposals.length > 0, 'prompt_instructions events');
  const written = proposals.filter((e) => e.instructions.slice(1).some((i) => i.trim() !== e.instructions[0]!.trim()));
  assert.ok(written.length > 0, `a proposal different from the original instruction: ${JSON.stringify(proposals.map((e) => e.instructions))}`);
  assert.match(written[0]!.proposer, /task model/, 'proposed by the task model, which the run config says is the local smollm2');
  await vscode.commands.executeCommand('mmgrpo.openRun', { runDir: run.dir });
  await vscode.commands.executeCommand('workbench.action.closePanel');
  const ui = driver();
  if (!ui) return;
  await waitFor('the panel of the local run', async () => (await ui.webviewText()).includes(run.id));
  await ui.webviewClick('button.tab', 'Prompts');
  // Each module's candidates are a collapsed section: open them all.
  for (let i = 0; i < proposals.length; i++) await ui.webviewClick('details > summary', 'Instruction candidates', i);
  // The panel lists the candidates as text; compare with whitespace squeezed, as innerText lays it out.
  const squeeze = (t: string) => t.replace(/\s+/g, ' ').trim();
  const proposal = squeeze(written[0]!.instructions.slice(1).find((i) => i.trim() !== written[0]!.instructions[0]!.trim())!).slice(0, 40);
  await waitFor('the proposed instruction in the panel', async () => squeeze(await ui.webviewText()).includes(proposal));
  await shot('17-local-optimize-prompts');
}

/** Runs a step and logs how long it took: the local model's speed depends on what else shares the cores. */
async function timed(what: string, step: () => Promise<void>): Promise<void> {
  const started = Date.now();
  await step();
  console.log(`      local backend: ${what} took ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Runs last in the trusted phase: it changes the backend and the task's flags, then restores them. */
export function localBackendScenario(): void {
  it('on the local backend (a real pretrained model on the CPU): Evaluate, Optimize prompts, and Train refused', async function () {
    this.timeout(2 * RUN_TIMEOUT_MS + 2 * 60_000);
    const config = vscode.workspace.getConfiguration('mmgrpo');
    const overrides = config.inspect('taskOverrides')?.workspaceValue;
    await config.update('backend', 'local', vscode.ConfigurationTarget.Workspace);
    await config.update('taskOverrides', { 'task.ts': { args: LOCAL_RUN_ARGS, evalArgs: LOCAL_EVAL_ARGS } }, vscode.ConfigurationTarget.Workspace);
    try {
      await timed('Evaluate', evaluateOnLocalModel);
      await timed('Train refused', trainIsRefused);
      await timed('Optimize prompts', optimizePromptsOnLocalModel);
    } finally {
      await config.update('backend', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('taskOverrides', overrides, vscode.ConfigurationTarget.Workspace);
    }
  });
}
