import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { StepFinishedEvent } from '../../../src/protocol/events';
import { driver, shot } from './driver';
import { localBackendScenario } from './local';
import { eventsOf, runFromTaskLens, runOf, settled, waitIdle } from './runs';
import { api, lensesOf, openFile, runCommandOf, skipBecause, sleep, titles, waitFor, wsFile } from './util';

// The scenarios of a trusted workspace, in order: they share one real run.

const TASK_LENSES = ['Train (prompts → weights)', 'Optimize prompts', 'Evaluate'];
/** The example's own files (data aside): every one must open without a problem. */
const EXAMPLE_FILES = ['task.ts', 'program.ts', 'labels.ts'];
/** The label the Runs view gives a run of the one-click Train (the lens's words). */
const TRAIN_RUN_LABEL = 'Train (prompts → weights)';
const MODULES = ['triage', 'classify'];

export function trustedScenarios(): void {
  describe('MMGRPO Studio in a real VS Code (trusted workspace)', function () {
    let runId = '';
    let runDir = '';
    let evalRunId = '';

    before(async () => {
      assert.equal(vscode.workspace.isTrusted, true, 'this phase needs a trusted workspace');
      await (await api()).detectionReady();
    });

    afterEach(async function () {
      if (this.currentTest?.state === 'failed') await shot(`FAILED-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
    });

    it('shows the task lenses above defineTask', async () => {
      await openFile(wsFile('task.ts'));
      const lenses = await waitFor('the task lenses', async () => {
        const l = titles(await lensesOf(wsFile('task.ts')));
        return TASK_LENSES.every((t) => l.includes(t)) && l;
      });
      assert.ok(lenses.some((t) => /^Runs \(0\)$/.test(t)), `a Runs (0) lens: ${lenses.join(' | ')}`);
      // Above the defineTask call, not somewhere near it.
      const text = (await vscode.workspace.openTextDocument(wsFile('task.ts'))).getText().split('\n');
      const line = text.findIndex((l) => l.startsWith('export default defineTask('));
      const train = (await lensesOf(wsFile('task.ts'))).find((l) => l.command!.title === TASK_LENSES[0])!;
      assert.equal(train.range.start.line, line, `the Train lens sits on line ${train.range.start.line + 1}, the task on ${line + 1}`);
      const ui = driver();
      if (ui) {
        const shown = await waitFor('the lenses in the editor DOM', async () => {
          const t = await ui.lensTexts();
          return TASK_LENSES.every((x) => t.includes(x)) && t;
        });
        assert.ok(shown.includes('Runs (0)'));
      }
      await shot('01-task-lenses');
    });

    it('the `mmgrpo` import type-checks in the editor with nothing installed (the TypeScript plugin)', async () => {
      const editor = await openFile(wsFile('program.ts'));
      const text = editor.document.getText();
      const at = editor.document.positionAt(text.indexOf('new Predict(') + 'new '.length);
      // VS Code's TypeScript answers "go to definition" with our declarations once its server is up.
      const target = await waitFor('the definition of Predict', async () => {
        const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', editor.document.uri, at);
        const uris = (defs ?? []).map((d) => ('targetUri' in d ? d.targetUri : d.uri).fsPath);
        return uris.find((u) => /dist[\\/]types[\\/][\w.]+\.d\.ts$/.test(u));
      }, 120_000, 1000);
      assert.match(target, /[\\/]dist[\\/]types[\\/]/, 'the SDK declarations the extension ships');
      const problems = vscode.languages.getDiagnostics(editor.document.uri).map((d) => d.message);
      assert.deepEqual(problems.filter((m) => m.includes("'mmgrpo'")), [], problems.join(' | '));
    });

    it('the example opens with zero diagnostics (the deliberately broken fixture aside)', async () => {
      // The broken fixture is the positive control: the language server has checked it once it reports its errors.
      const broken = wsFile('broken', 'task.ts');
      await openFile(broken);
      await waitFor('the diagnostics of the broken fixture', () => vscode.languages.getDiagnostics(vscode.Uri.file(broken)).length > 0, 120_000, 1000);
      const example = EXAMPLE_FILES.map((f) => wsFile(f));
      for (const f of example) {
        const editor = await openFile(f);
        // Answered only once TypeScript has the file in its project (then its diagnostics follow).
        await waitFor(`TypeScript to load ${f}`, async () => ((await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(0, 10))) ?? []).length > 0, 120_000, 1000);
      }
      await sleep(3000);
      // What the Problems view counts (hints such as "unused" fade-outs are not problems).
      const problems = vscode.languages.getDiagnostics()
        .filter(([uri]) => uri.fsPath !== broken && !uri.fsPath.includes(`${path.sep}.mmgrpo${path.sep}`))
        .flatMap(([uri, ds]) => ds.filter((d) => d.severity !== vscode.DiagnosticSeverity.Hint).map((d) => `${vscode.workspace.asRelativePath(uri)}:${d.range.start.line + 1}: ${d.message}`));
      assert.deepEqual(problems, [], 'problems outside the deliberately broken fixture');
      for (const f of example) assert.deepEqual(vscode.languages.getDiagnostics(vscode.Uri.file(f)).filter((d) => d.severity !== vscode.DiagnosticSeverity.Hint), [], f);
      await shot('01b-example-no-problems');
    });

    it('a task file with a syntax error gets no false lenses, and running it gives a clear error', async () => {
      const broken = wsFile('broken', 'task.ts');
      await openFile(broken);
      // Give detection time to look at it, then require that it shows nothing.
      await (await api()).detectionReady();
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(titles(await lensesOf(broken)), [], 'no lenses on a file that does not parse');
      await vscode.commands.executeCommand('mmgrpo.train', { taskFile: broken, taskName: 'broken' });
      const a = await api();
      const line = await waitFor('the CLI error for the broken task file', () => a.recentOutput().find((l) => /broken[\\/]task\.ts:\d+/.test(l)), 60_000);
      assert.match(line, /task\.ts:\d+(:\d+)?/, 'the error names file and line');
      await waitIdle('the failed run to end', 60_000);
      assert.equal((await api()).runs().length, 0, 'a task that does not load records no run');
      await shot('02-broken-task');
    });

    it('clicking Train starts a background run with visible progress; cancelling leaves it resumable', async () => {
      const a = await api();
      const editor = await openFile(wsFile('task.ts'));
      const train = (await lensesOf(wsFile('task.ts'))).find((l) => l.command!.title === TASK_LENSES[0]);
      assert.ok(train, 'the Train lens');
      const ui = driver();
      if (ui) await ui.clickLens(TASK_LENSES[0]!);
      else await runCommandOf(train);
      assert.ok(editor);
      const started = await waitFor('a run id from the started run', () => a.activeRuns().find((r) => r.runId), 120_000);
      runId = started.runId!;
      const run = await waitFor('the run in the run store', () => runOf(runId));
      runDir = run.dir;
      assert.equal(run.kind, 'optimize', 'one-click Train is the composed "p -> w" run');
      if (ui) {
        const bar = await waitFor('the status bar progress item', async () => {
          const t = await ui.text('.statusbar');
          return /MMGRPO: 1 run/.test(t) && t;
        });
        assert.match(bar, /MMGRPO: 1 run/);
      }
      assert.match(readFileSync(wsFile('.mmgrpo', '.gitignore'), 'utf8'), /^\*$/m, 'the run store keeps itself out of git');
      // The notification counts steps of the whole run (the workspace's overrides ask for 4), not rollouts of one step.
      const stepping = await waitFor('progress counted in steps', () => a.activeRuns().find((r) => /^step \d+\/4\b/.test(r.message))?.message, 300_000, 100);
      assert.match(stepping, /^step [1-4]\/4/);
      // Let it finish real work (the prompt stage and a training step), then cancel mid-run.
      await waitFor('a finished MMGRPO step', () => eventsOf(runDir).some((e) => e.type === 'step_finished'), 300_000);
      await shot('03-train-progress');
      await vscode.commands.executeCommand('mmgrpo.cancelRun', { runDir });
      await waitIdle('the cancelled run to exit', 120_000);
      const cancelled = await settled(runId);
      assert.equal(cancelled.status, 'cancelled');
      assert.ok(eventsOf(runDir).some((e) => e.type === 'run_finished'), 'the CLI recorded the cancellation');
    });

    it('resume from the Runs view completes the run without redoing finished steps', async () => {
      const before = eventsOf(runDir).filter((e) => e.type === 'step_finished').length;
      await vscode.commands.executeCommand('mmgrpo.showRuns', { taskFile: wsFile('task.ts'), taskName: 'banking77' });
      const ui = driver();
      if (ui) {
        // What a user does: right-click the cancelled run in the tree, "Resume run" (offered to optimize runs too).
        await waitFor('the cancelled run in the Runs view', async () => (await ui.text('.part.sidebar')).includes('cancelled'));
        await shot('04a-runs-view-resume-menu');
        await ui.treeContextMenu('.part.sidebar', TRAIN_RUN_LABEL, 'Resume run');
      } else {
        // test-electron has no browser to right-click with; the unit tests check the tree offers the menu item.
        await vscode.commands.executeCommand('mmgrpo.resumeRun', { runDir });
      }
      const a = await api();
      await waitFor('the resumed run to start', () => a.activeRuns().length > 0 || eventsOf(runDir).filter((e) => e.type === 'run_started').length > 1, 60_000);
      await waitIdle('the resumed run to finish', 600_000);
      const done = await settled(runId);
      assert.equal(done.status, 'completed', `run ${runId} ended ${done.status}; terminal said:\n${a.recentOutput().slice(-20).join('\n')}`);
      const steps = eventsOf(runDir).filter((e): e is StepFinishedEvent => e.type === 'step_finished');
      assert.ok(steps.length > before);
      assert.equal(new Set(steps.map((s) => s.step)).size, steps.length, 'no step finished twice');
      assert.ok(existsSync(join(runDir, 'result.json')), 'the best program is in result.json');
    });

    it('Evaluate on the embedded backend evaluates the trained program and reproduces its val score', async () => {
      const trained = await runOf(runId);
      assert.ok(trained?.valScore !== undefined, 'the training run has a val score');
      const evalRun = await runFromTaskLens('Evaluate', 'mmgrpo.evaluate', 'the evaluation run');
      assert.equal(evalRun.kind, 'eval');
      const manifest = JSON.parse(readFileSync(join(evalRun.dir, 'run.json'), 'utf8')) as { config: { fromRun?: string } };
      assert.equal(manifest.config.fromRun, runId, 'it evaluated the trained run');
      evalRunId = evalRun.id;
      // Greedy decoding of the same weights and prompts: the training run's best val score again.
      assert.equal(evalRun.valScore, trained!.valScore);
      await shot('04-evaluate');
    });

    it('the Runs view lists the run', async () => {
      await vscode.commands.executeCommand('mmgrpo.showRuns', { taskFile: wsFile('task.ts'), taskName: 'banking77' });
      const ui = driver();
      if (ui) {
        // Each run by what was started, status, score and age, not by a truncated id: the Train and Evaluate runs differ.
        const tree = await waitFor('the runs in the Runs view', async () => {
          const t = await ui.text('.part.sidebar');
          return t.includes(TRAIN_RUN_LABEL) && t.includes('Evaluate') && t;
        });
        assert.ok(tree.includes('banking77'));
        assert.match(tree, /completed · val \d+\.\d% · (just now|\d+ min ago)/);
        assert.ok(!tree.includes(runId), `the tree shows no raw run ids: ${tree}`);
      }
      assert.ok((await api()).runs().some((r) => r.id === runId));
      await shot('05-runs-view');
    });

    it('the getting-started walkthrough opens from the command palette', async () => {
      await vscode.commands.executeCommand('mmgrpo.gettingStarted');
      const ui = driver();
      if (ui) {
        const page = await waitFor('the walkthrough page', async () => {
          const t = await ui.text('.gettingStartedContainer');
          return t.includes('Get started with MMGRPO Studio') && t;
        });
        for (const step of ['Open the example', 'Pull the local model', 'Evaluate', 'Optimize prompts', 'Train', 'Read the run panel']) assert.ok(page.includes(step), `step ${step}: ${page}`);
      }
      await shot('05b-walkthrough');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });

    it('lenses on the program and on each predictor summarise the run', async () => {
      await openFile(wsFile('program.ts'));
      const lenses = await waitFor('program and predictor lenses', async () => {
        const t = titles(await lensesOf(wsFile('program.ts')));
        return t.some((x) => x.startsWith('Last val score')) && MODULES.every((m) => t.some((x) => x.startsWith(`${m}: `) && /groups · mean reward/.test(x))) && t;
      });
      // The newest run with a val score: the evaluation of the trained program.
      assert.ok(lenses.some((t) => t.startsWith('Last val score') && t.includes(evalRunId || runId)), `the val score lens names the latest run: ${lenses.join(' | ')}`);
      if (driver()) await waitFor('the predictor lenses in the DOM', async () => (await driver()!.lensTexts()).some((t) => t.startsWith('triage: ')));
      await shot('06-program-lenses');
    });

    it('the panel shows curves, reward groups, a rollout and the prompts', async function () {
      await vscode.commands.executeCommand('mmgrpo.openRun', { runDir });
      // The terminal panel would cover half of the run panel in the screenshots.
      await vscode.commands.executeCommand('workbench.action.closePanel');
      const ui = driver();
      if (!ui) return skipBecause(this, 'the panel is a webview: only the browser launcher (runCodeServer.mjs) can read it');
      const overview = await waitFor('the panel overview', async () => {
        const t = await ui.webviewText();
        return t.includes(runId) && /val/i.test(t) && t;
      });
      assert.match(overview, /reward/i);
      await shot('07-panel-overview');
      await ui.webviewClick('button.tab', 'Groups');
      await waitFor('the reward groups of the last step', async () => /zero-variance only/.test(await ui.webviewText()));
      await ui.webviewClick('.groups .row', 'classify');
      const groups = await waitFor('a group with its members', async () => {
        const t = await ui.webviewText();
        return /advantage/.test(t) && /completion/.test(t) && t;
      });
      assert.match(groups, /classify/);
      await shot('08-panel-groups');
      await ui.webviewClick('button.tab', 'Rollouts');
      await waitFor('the rollout list', async () => /Rollouts of step/.test(await ui.webviewText()));
      await ui.webviewClick('.rollouts .row', '');
      const rollout = await waitFor('a whole trajectory', async () => {
        const t = await ui.webviewText();
        return MODULES.every((m) => t.includes(m)) && /Select a rollout\./.test(t) === false && t;
      });
      assert.match(rollout, /triage/);
      // Open the second module call: its messages, sampled completion and parsed outputs.
      await ui.webviewClick('details > summary', 'classify[0]');
      await waitFor('the classify call opened', async () => /Messages|messages/.test(await ui.webviewText()));
      await shot('09-panel-rollout');
      await ui.webviewClick('button.tab', 'Prompts');
      await waitFor('the prompts per module', async () => {
        const t = await ui.webviewText();
        return MODULES.every((m) => t.includes(m));
      });
      await shot('10-panel-prompts');
    });

    it('Optimize prompts against an OpenAI-compatible server picks a proposed instruction', async function () {
      // The launcher serves scripted models on loopback (a task model that answers
      // right only under a proposed instruction, and a prompt model proposing them).
      const url = process.env.MMGRPO_E2E_MODELS_URL;
      if (!url) return skipBecause(this, 'MMGRPO_E2E_MODELS_URL is not set: the scripted models are served by the browser launcher (runCodeServer.mjs)');
      const config = vscode.workspace.getConfiguration('mmgrpo');
      await config.update('backend', 'remote', vscode.ConfigurationTarget.Workspace);
      await config.update('inferenceUrl', url, vscode.ConfigurationTarget.Workspace);
      await config.update('model', 'e2e-task-model', vscode.ConfigurationTarget.Workspace);
      try {
        const run = await runFromTaskLens('Optimize prompts', 'mmgrpo.optimize', 'the prompt optimization run');
        const result = JSON.parse(readFileSync(join(run.dir, 'result.json'), 'utf8')) as { programState: { predictors: Record<string, { instructions: string }> } };
        assert.match(result.programState.predictors.classify!.instructions, /label/, 'a proposed instruction won for classify');
        await shot('11-optimize-prompts');
      } finally {
        for (const k of ['backend', 'inferenceUrl', 'model']) await config.update(k, undefined, vscode.ConfigurationTarget.Workspace);
      }
    });

    it('the prompt diff opens in VS Code\'s diff editor', async () => {
      await openFile(wsFile('program.ts'));
      const lens = await waitFor('a Prompt diff lens', async () => (await lensesOf(wsFile('program.ts'))).find((l) => l.command!.title === 'Prompt diff'));
      await runCommandOf(lens);
      const tab = await waitFor('the diff editor tab', () => {
        const t = vscode.window.tabGroups.activeTabGroup.activeTab;
        return t?.input instanceof vscode.TabInputTextDiff && t;
      });
      const input = tab.input as vscode.TabInputTextDiff;
      assert.equal(input.original.scheme, 'mmgrpo-prompt');
      const [left, right] = await Promise.all([vscode.workspace.openTextDocument(input.original), vscode.workspace.openTextDocument(input.modified)]);
      assert.notEqual(left.getText(), right.getText(), 'the two prompt versions differ');
      if (driver()) await waitFor('the diff editor in the DOM', async () => (await driver()!.text('.monaco-diff-editor')).length > 0);
      await shot('12-prompt-diff');
    });

    it('"Apply optimized instruction" changes the source and undo restores it', async () => {
      const file = wsFile('program.ts');
      const editor = await openFile(file);
      const original = editor.document.getText();
      const lens = await waitFor('an Apply optimized instruction lens', async () => (await lensesOf(file)).find((l) => l.command!.title === 'Apply optimized instruction'));
      const wanted = (lens.command!.arguments![0] as { instructions: string }).instructions;
      const ui = driver();
      if (ui) await ui.clickLens('Apply optimized instruction');
      else await runCommandOf(lens);
      await waitFor('the edited source', () => editor.document.getText() !== original);
      assert.ok(editor.document.getText().includes(JSON.stringify(wanted).slice(1, -1)) || editor.document.getText().includes(wanted), 'the optimized instruction is in the source');
      await shot('13-applied-instruction');
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('undo');
      await waitFor('undo to restore the source', () => editor.document.getText() === original);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });

    localBackendScenario();
  });
}
