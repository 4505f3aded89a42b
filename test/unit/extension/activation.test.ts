import { strict as assert } from 'node:assert';
import { COMMANDS } from '../../../src/extension/commands';
import { installFakeVscode } from './fakeVscode';

describe('activate (with a stub vscode module)', () => {
  it('registers every command once and puts every disposable on the context', async () => {
    const fake = installFakeVscode({
      'workspace.workspaceFolders': [],
      'workspace.textDocuments': [],
      'workspace.isTrusted': true,
      'window.activeTextEditor': undefined,
    });
    try {
      // Loaded after the stub is installed: the extension's `vscode` import resolves to it.
      const ext = require('../../../src/extension/extension') as typeof import('../../../src/extension/extension');
      const subscriptions: unknown[] = [];
      ext.activate({ subscriptions, extensionPath: '/ext', extensionUri: {}, secrets: {} } as never);
      const registered = fake.calls.filter((c) => c.name === 'commands.registerCommand').map((c) => c.args[0]);
      assert.deepEqual([...registered].sort(), Object.values(COMMANDS).sort());
      assert.ok(fake.calls.some((c) => c.name === 'tasks.registerTaskProvider' && c.args[0] === 'mmgrpo'));
      assert.ok(fake.calls.some((c) => c.name === 'window.createTreeView' && c.args[0] === 'mmgrpo.runs'));
      const lensSelector = fake.calls.find((c) => c.name === 'languages.registerCodeLensProvider')?.args[0] as { language: string }[];
      assert.deepEqual(lensSelector.map((s) => s.language), ['typescript', 'javascript', 'typescriptreact', 'javascriptreact']);
      // 14 commands + providers, watchers and services.
      assert.ok(subscriptions.length >= 25, `only ${subscriptions.length} disposables on the context`);
      ext.deactivate();
      await new Promise((r) => setImmediate(r));
    } finally {
      fake.restore();
    }
  });
});
