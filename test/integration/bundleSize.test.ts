import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dist = join(resolve(__dirname, '..', '..'), 'dist');

/**
 * The extension bundle is what VS Code loads on activation. Unminified it was
 * 10.6 MB (9.9 MB of it the TypeScript compiler the detector uses); minified
 * 4.4 MB. 5 MB leaves room to grow but catches minification switched off or a
 * second large dependency pulled into the extension host.
 */
const MAX_EXTENSION_BYTES = 5_000_000;

describe('shipped bundle sizes (npm test builds first)', () => {
  it(`keeps dist/extension.js under ${MAX_EXTENSION_BYTES / 1e6} MB, minified, with an external source map`, function () {
    const file = join(dist, 'extension.js');
    if (!existsSync(file)) throw new Error('dist/extension.js is missing: run `npm run build` first.');
    const bytes = statSync(file).size;
    assert.ok(bytes <= MAX_EXTENSION_BYTES, `dist/extension.js is ${(bytes / 1e6).toFixed(1)} MB (limit ${(MAX_EXTENSION_BYTES / 1e6).toFixed(1)} MB): is minify on in scripts/build.mjs, or did a large dependency join the extension?`);
    const text = readFileSync(file, 'utf8');
    assert.match(text.slice(-200), /\/\/# sourceMappingURL=extension\.js\.map\s*$/, 'the bundle points at its external source map');
    assert.ok(existsSync(join(dist, 'extension.js.map')), 'dist/extension.js.map exists for debugging');
  });

  it('minifies every shipped bundle (no bundle keeps its source indentation)', () => {
    for (const name of ['extension.js', 'cli.js', 'tinyBackend.js', 'backendWorker.js', 'webview.js']) {
      const text = readFileSync(join(dist, name), 'utf8');
      const indented = text.split('\n').filter((l) => /^ {4}\S/.test(l)).length;
      assert.ok(indented < 200, `dist/${name} has ${indented} indented lines: it is not minified`);
    }
  });
});
