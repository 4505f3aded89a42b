// Bundles the engine throughput benchmark like the CLI is bundled (esbuild,
// openai included), so it measures the code users run, not tsx's on-the-fly
// transform (which wraps every engine function but none of the raw loop's).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const name of ['engineThroughput', 'fakeServerMain']) {
  await build({
    entryPoints: [join(root, 'bench', `${name}.ts`)], outfile: join(root, 'dist', 'bench', `${name}.js`),
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', external: ['esbuild', '@tensorflow/*', 'vscode', 'tsx', 'tsx/*'],
  });
}
