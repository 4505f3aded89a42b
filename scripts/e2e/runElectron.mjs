// `npm run test:electron`: the same end-to-end suite (test/vscode/suite) in a
// desktop VS Code downloaded by @vscode/test-electron. Needs internet access
// to download VS Code (CI here has none: it uses runCodeServer.mjs instead).
// Without a browser driver the scenarios use commands where the code-server
// run uses real clicks, and take no screenshots.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSuite } from './buildSuite.mjs';
import { startFakePromptModel } from './fakePromptModel.mjs';
import { prepareWorkspace } from './workspace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main() {
  const { runTests } = await import('@vscode/test-electron');
  if (!existsSync(join(root, 'dist', 'extension.js'))) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  const suite = await buildSuite(root);
  const tmp = mkdtempSync(join(tmpdir(), 'mmgrpo-e2e-electron-'));
  const workspace = join(tmp, 'banking77');
  const models = await startFakePromptModel();
  try {
    mkdirSync(workspace);
    prepareWorkspace(root, workspace, { promptBaseUrl: models.baseUrl });
    models.setWorkspace(workspace);
    await runTests({
      version: process.env.MMGRPO_VSCODE_VERSION ?? '1.100.3',
      extensionDevelopmentPath: root,
      extensionTestsPath: suite,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(tmp, 'user-data')],
      extensionTestsEnv: { MMGRPO_E2E_PHASE: 'trusted', MMGRPO_E2E_MODELS_URL: models.baseUrl },
    });
    return 0;
  } catch (err) {
    console.error(`test:electron failed: ${err.message ?? err}`);
    return 1;
  } finally {
    await models.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
