// Bundles the CLI (and, as they land, the extension and webview) with esbuild.
// esbuild and TensorFlow.js stay external: they locate native/wasm files
// relative to their own package folders at run time.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['esbuild', '@tensorflow/*', 'vscode'],
};

const targets = [
  { entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(root, 'dist/cli.js') },
  { entryPoints: [join(root, 'src/extension/extension.ts')], outfile: join(root, 'dist/extension.js'), optional: true },
];

for (const { optional, ...t } of targets) {
  if (optional && !existsSync(t.entryPoints[0])) continue;
  await build({ ...common, ...t });
}
console.log('built dist/');
