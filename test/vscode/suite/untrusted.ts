import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { NEEDS_TRUST } from '../../../src/extension/lenses/computeLenses';
import { driver, shot } from './driver';
import { api, lensesOf, openFile, titles, waitFor, wsFile } from './util';

// Restricted mode: detection and lenses work, nothing runs the user's code.

/** The lenses that run the task's code, as Restricted Mode must show them: unavailable. */
const UNAVAILABLE = ['Train (prompts → weights)', 'Optimize prompts', 'Evaluate'].map((t) => `${t}${NEEDS_TRUST}`);

export function untrustedScenarios(): void {
  describe('MMGRPO Studio in a real VS Code (untrusted workspace)', () => {
    it('shows Train, Optimize prompts and Evaluate as unavailable, runs nothing, and says why', async () => {
      assert.equal(vscode.workspace.isTrusted, false, 'this phase needs an untrusted workspace');
      await (await api()).detectionReady();
      await openFile(wsFile('task.ts'));
      const lenses = await waitFor('the task lenses', async () => {
        const t = titles(await lensesOf(wsFile('task.ts')));
        return t.some((x) => x.startsWith('Runs (')) && t;
      });
      assert.deepEqual(lenses.filter((t) => !t.startsWith('Runs (')), UNAVAILABLE, 'no lens offers a run as if it could start');
      const ui = driver();
      if (ui) {
        await waitFor('the unavailable lenses in the editor DOM', async () => {
          const shown = await ui.lensTexts();
          return UNAVAILABLE.every((t) => shown.includes(t));
        });
        // A click on an unavailable lens explains and offers trust.
        await ui.clickLens(UNAVAILABLE[0]!);
        const toast = await waitFor('the explanation', async () => {
          const t = await ui.text('.notifications-toasts');
          return /trusted workspace/.test(t) && t;
        });
        assert.match(toast, /Manage Workspace Trust/);
      } else {
        await vscode.commands.executeCommand('mmgrpo.train', { taskFile: wsFile('task.ts'), taskName: 'banking77' });
      }
      await shot('14-untrusted');
      await new Promise((r) => setTimeout(r, 2000));
      const a = await api();
      assert.deepEqual(a.activeRuns(), [], 'no run started');
      assert.equal(existsSync(wsFile('.mmgrpo', 'runs')), false, 'nothing was written to the run store');
    });
  });
}
