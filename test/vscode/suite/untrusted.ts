import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { driver, shot } from './driver';
import { api, lensesOf, openFile, titles, waitFor, wsFile } from './util';

// Restricted mode: detection and lenses work, nothing runs the user's code.

export function untrustedScenarios(): void {
  describe('MMGRPO Studio in a real VS Code (untrusted workspace)', () => {
    it('detects and shows lenses but runs nothing, and says why', async () => {
      assert.equal(vscode.workspace.isTrusted, false, 'this phase needs an untrusted workspace');
      await (await api()).detectionReady();
      await openFile(wsFile('task.ts'));
      await waitFor('the task lenses', async () => titles(await lensesOf(wsFile('task.ts'))).includes('Train (prompts → MMGRPO)'));
      await vscode.commands.executeCommand('mmgrpo.train', { taskFile: wsFile('task.ts'), taskName: 'banking77' });
      const ui = driver();
      if (ui) {
        const toast = await waitFor('the explanation', async () => {
          const t = await ui.text('.notifications-toasts');
          return /trusted workspace/.test(t) && t;
        });
        assert.match(toast, /Manage Workspace Trust/);
      }
      await shot('14-untrusted');
      await new Promise((r) => setTimeout(r, 2000));
      const a = await api();
      assert.deepEqual(a.activeRuns(), [], 'no run started');
      assert.equal(existsSync(wsFile('.mmgrpo', 'runs')), false, 'nothing was written to the run store');
    });
  });
}
