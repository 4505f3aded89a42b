import { strict as assert } from 'node:assert';
import { buildRunView } from '../../../../src/engine/runs/runView';
import { COMMANDS } from '../../../../src/extension/commands';
import { RUN_PANEL_VIEW_TYPE } from '../../../../src/extension/panel/panelRestore';
import type { HostToWebview } from '../../../../src/protocol/webview';
import { installFakeVscode, type FakeVscode } from '../fakeVscode';
import { syntheticRun } from '../../webview/fixtures';

const BESIDE = -2;
const ACTIVE = -1;

/** A webview panel that records what the host posts and lets the test speak as the page. */
function fakePanel() {
  const posted: HostToWebview[] = [];
  let fromPage: ((m: unknown) => void) | undefined;
  const panel = {
    title: '',
    webview: {
      cspSource: 'vscode-webview:',
      html: '',
      options: {},
      asWebviewUri: (u: unknown) => ({ toString: () => `webview:${String(u)}` }),
      onDidReceiveMessage: (fn: (m: unknown) => void) => ((fromPage = fn), { dispose() {} }),
      postMessage: async (m: HostToWebview) => (posted.push(m), true),
    },
    onDidDispose: () => ({ dispose() {} }),
    reveal() {},
    dispose() {},
  };
  return { panel, posted, say: (m: unknown) => fromPage!(m) };
}

describe('run panel host (stub vscode)', () => {
  let fake: FakeVscode;
  let created: { args: unknown[]; panel: ReturnType<typeof fakePanel> }[];
  let serializer: { viewType: string; deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> } | undefined;
  let executed: unknown[][];
  const run = { ...syntheticRun(8, 2), dir: '/runs/synthetic' };
  const runs = { get: (d: string) => (d === run.dir ? run : undefined), findById: (id: string) => (id === run.id ? run : undefined), onDidChange: () => ({ dispose() {} }), reload: async () => undefined };

  beforeEach(() => {
    created = [];
    executed = [];
    serializer = undefined;
    fake = installFakeVscode({
      'ViewColumn.Beside': BESIDE,
      'ViewColumn.Active': ACTIVE,
      'Uri.joinPath': (...parts: unknown[]) => parts.map(String).join('/'),
      'window.createWebviewPanel': (...args: unknown[]) => {
        const p = fakePanel();
        created.push({ args, panel: p });
        return p.panel;
      },
      'window.registerWebviewPanelSerializer': (viewType: string, s: { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }) => ((serializer = { viewType, ...s }), { dispose() {} }),
      'commands.executeCommand': async (...args: unknown[]) => void executed.push(args),
    });
    delete require.cache[require.resolve('../../../../src/extension/panel/panelHost')];
  });
  afterEach(() => fake.restore());

  const load = () => require('../../../../src/extension/panel/panelHost') as typeof import('../../../../src/extension/panel/panelHost');

  it('opens a run beside the code, and forwards the page\'s requests to the native diff and rollout JSON commands', async () => {
    const panels = new (load().RunPanels)('/ext' as never, runs as never);
    panels.show(run.dir);
    assert.equal(created.length, 1);
    const [viewType, , where] = created[0].args as [string, string, { viewColumn: number }];
    assert.equal(viewType, RUN_PANEL_VIEW_TYPE);
    assert.equal(where.viewColumn, BESIDE, 'the panel opens beside the editor, not over it');
    const page = created[0].panel;
    page.say({ type: 'ready' });
    assert.equal(page.posted[0].type, 'snapshot');
    page.say({ type: 'openPromptDiff', module: 'answer', fromVersion: 'start', toVersion: 'p1/trial-3' });
    page.say({ type: 'openRollout', step: 2, exampleIndex: 0, rolloutIndex: 1 });
    assert.deepEqual(executed, [
      [COMMANDS.promptDiff, { runDir: run.dir, module: 'answer', from: 'start', to: 'p1/trial-3' }],
      [COMMANDS.openRollout, { runDir: run.dir, step: 2, exampleIndex: 0, rolloutIndex: 1 }],
    ]);
    panels.dispose();
  });

  it('registers a serializer that reopens a restored panel on the runs its page saved', async () => {
    const panels = new (load().RunPanels)('/ext' as never, runs as never);
    assert.equal(serializer?.viewType, RUN_PANEL_VIEW_TYPE);
    const restored = fakePanel();
    await serializer!.deserializeWebviewPanel(restored.panel, { tab: 'rollouts', runs: [run.id] });
    assert.equal(created.length, 0, 'the restored panel is reused, not a new one created');
    assert.match(restored.panel.webview.html, /Content-Security-Policy/);
    restored.say({ type: 'ready' });
    const msg = restored.posted[0];
    assert.equal(msg.type, 'snapshot');
    assert.deepEqual(msg.type === 'snapshot' && msg.view.manifest.id, buildRunView(run).manifest.id);
    panels.dispose();
  });
});
