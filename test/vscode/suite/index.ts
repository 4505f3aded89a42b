import * as path from 'node:path';
import Mocha from 'mocha';
import { trustedScenarios } from './trusted';
import { untrustedScenarios } from './untrusted';

// Entry point the extension host calls (extensionTestsPath): the same suite
// under @vscode/test-electron and under code-server. MMGRPO_E2E_PHASE picks
// the scenarios: "trusted" (default) or "untrusted".

export function run(): Promise<void> {
  // MMGRPO_E2E_GREP runs only the scenarios whose title matches (debugging one scenario).
  const mocha = new Mocha({ ui: 'bdd', timeout: 900_000, color: false, reporter: 'spec', grep: process.env.MMGRPO_E2E_GREP });
  // The scenarios are bundled with this file: expose mocha's globals, then let them register.
  mocha.suite.emit('pre-require', globalThis, path.join(__dirname, 'scenarios'), mocha);
  if (process.env.MMGRPO_E2E_PHASE === 'untrusted') untrustedScenarios();
  else trustedScenarios();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} end-to-end test(s) failed.`)) : resolve()));
  });
}
