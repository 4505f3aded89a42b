import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRunView } from '../../../../src/engine/runs/runView';
import { RUN_PANEL_VIEW_TYPE, runIdsOf } from '../../../../src/extension/panel/panelRestore';
import { App } from '../../../../src/webview/app';
import { installDom, ShimElement } from '../../webview/domShim';
import { syntheticRun } from '../../webview/fixtures';

describe('run panel restore (serializer)', () => {
  it('activates the extension for a restored run panel (onWebviewPanel:<view type>)', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { activationEvents: string[] };
    assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${RUN_PANEL_VIEW_TYPE}`), `package.json activationEvents lacks onWebviewPanel:${RUN_PANEL_VIEW_TYPE}`);
  });

  it('reads back the run ids the page saved, and nothing from damaged state', () => {
    const dom = installDom();
    try {
      let stored: unknown;
      const app = new App(new ShimElement('div') as unknown as HTMLElement, { live: true, post: () => undefined, getState: () => stored, setState: (s) => void (stored = s) });
      const view = buildRunView(syntheticRun(8, 2));
      app.handle({ type: 'compare', left: view, right: { ...view, manifest: { ...view.manifest, id: '20261208-010203-qa-ab12' } } });
      assert.deepEqual(runIdsOf(stored), ['synthetic', '20261208-010203-qa-ab12']);
    } finally {
      dom.restore();
    }
    assert.deepEqual(runIdsOf({ runs: ['../../etc'] }), []);
    assert.deepEqual(runIdsOf({ runs: [] }), []);
    assert.deepEqual(runIdsOf({ runs: ['a', 'b', 'c'] }), []);
    assert.deepEqual(runIdsOf(null), []);
  });
});
