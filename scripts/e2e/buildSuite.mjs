// Bundles the end-to-end suite (test/vscode/suite) for the extension host,
// which cannot run TypeScript: one file exporting run(); mocha and vscode are
// loaded at run time from the host.
import { build } from 'esbuild';
import { join } from 'node:path';

export async function buildSuite(root) {
  const outfile = join(root, 'out', 'vscode', 'suite', 'index.js');
  await build({
    entryPoints: [join(root, 'test', 'vscode', 'suite', 'index.ts')],
    outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', logLevel: 'warning',
    external: ['vscode', 'mocha'],
  });
  return outfile;
}
