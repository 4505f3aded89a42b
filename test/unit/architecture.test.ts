import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { ENGINE_VERSION } from '../../src/engine/version';

const root = resolve(__dirname, '..', '..');
const src = join(root, 'src');

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out = out.concat(filesUnder(p));
    else if (/\.tsx?$/.test(n)) out.push(p);
  }
  return out;
}

/** Module specifiers of import/export-from/require/dynamic import statements. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

function layerOf(file: string): string {
  return relative(src, file).split('/')[0];
}

function targetLayer(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const abs = resolve(dirname(file), spec);
  return abs.startsWith(src) ? relative(src, abs).split('/')[0] : 'outside-src';
}

// The rules of ../shared/design/architecture.md, checked on every file's imports.
const FORBIDDEN: Record<string, string[]> = {
  protocol: ['engine', 'embedded', 'cli', 'extension', 'webview', 'vscode', 'outside-src'],
  engine: ['embedded', 'cli', 'extension', 'webview', 'vscode', 'outside-src'],
  embedded: ['engine', 'cli', 'extension', 'webview', 'vscode', 'outside-src'],
  cli: ['extension', 'webview', 'vscode', 'outside-src'],
  webview: ['engine', 'embedded', 'cli', 'extension', 'vscode', 'outside-src'],
  extension: ['embedded', 'cli', 'webview', 'outside-src'],
};

describe('architecture', () => {
  it('keeps the import rules between src layers (vscode only in src/extension)', () => {
    const violations: string[] = [];
    for (const file of filesUnder(src)) {
      const layer = layerOf(file);
      const rules = FORBIDDEN[layer] ?? [];
      for (const spec of importsOf(file)) {
        const target = spec === 'vscode' ? 'vscode' : targetLayer(file, spec);
        if (target && target !== layer && rules.includes(target)) violations.push(`${relative(root, file)} imports ${spec} (${layer} → ${target})`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('has no default exports in our own source', () => {
    const offenders = filesUnder(src).filter((f) => /^\s*export\s+default\b/m.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(root, f)), []);
  });

  it('keeps ENGINE_VERSION in step with package.json', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(ENGINE_VERSION, pkg.version);
  });
});
