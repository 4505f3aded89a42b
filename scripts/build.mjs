// Bundles the CLI (and, as they land, the extension and webview) with esbuild.
// esbuild and TensorFlow.js stay external: they locate native/wasm files
// relative to their own package folders at run time.
import { build } from 'esbuild';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTypes } from './buildTypes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Shipped bundles are minified (dist/extension.js was 10 MB, 9.9 MB of it the
  // TypeScript compiler the detector uses); the external .map files keep stack
  // traces and debugging readable. keepNames: the engine names modules by class
  // (this.constructor.name), which plain minification would rename.
  minify: true,
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
  // tsx is only reached from source (.ts) paths, never in the bundle.
  // node-llama-cpp (ESM, native binaries per platform) is loaded with import() by the local backend only.
  external: ['esbuild', '@tensorflow/*', 'vscode', 'tsx', 'tsx/*', 'node-llama-cpp'],
};

const targets = [
  { entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(root, 'dist/cli.js') },
  // The embedded server starts its model in a worker thread from these two files,
  // looked up next to the CLI bundle.
  { entryPoints: [join(root, 'src/embedded/server/backendWorker.ts')], outfile: join(root, 'dist/backendWorker.js') },
  // TensorFlow.js is bundled into the model file only: its deep ESM imports
  // (register_all_gradients) do not load from node_modules under plain Node.
  { entryPoints: [join(root, 'src/embedded/tinyBackend.ts')], outfile: join(root, 'dist/tinyBackend.js'), external: ['esbuild', 'vscode', 'tsx', 'tsx/*'] },
  { entryPoints: [join(root, 'src/extension/extension.ts')], outfile: join(root, 'dist/extension.js'), optional: true },
  // The run panel runs in a webview (a browser): one self-contained script, no Node.
  { entryPoints: [join(root, 'src/webview/main.ts')], outfile: join(root, 'dist/webview.js'), optional: true, platform: 'browser', format: 'iife', target: 'es2022', external: [] },
];

for (const { optional, ...t } of targets) {
  if (optional && !existsSync(t.entryPoints[0])) continue;
  await build({ ...common, ...t });
}
// The packaged extension ships no node_modules/@tensorflow: the model bundle
// finds its .wasm binaries beside itself (see resolveWasmDir).
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
for (const f of readdirSync(wasmDir).filter((n) => n.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(root, 'dist', f));
// Declarations of the SDK for the editor's TypeScript plugin (tsPlugin/).
buildTypes(root);
// npm installs the plugin as a copy (install-links, so the .vsix packager sees
// it): keep that copy in step with tsPlugin/ while developing.
const pluginCopy = join(root, 'node_modules', 'mmgrpo-ts-plugin');
if (existsSync(pluginCopy)) for (const f of readdirSync(join(root, 'tsPlugin'))) copyFileSync(join(root, 'tsPlugin', f), join(pluginCopy, f));
console.log('built dist/');
