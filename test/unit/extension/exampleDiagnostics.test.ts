import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';

const root = resolve(__dirname, '..', '..', '..');
const example = join(root, 'examples', 'banking77');

/**
 * The bundled example as a user sees it opened on its own: no tsconfig, no
 * node_modules (so no Node typings: types and typeRoots empty), VS Code's
 * inferred-project options, and `mmgrpo` resolved to the SDK declarations the
 * extension ships, as its TypeScript plugin does.
 */
function diagnosticsOfExample(): string[] {
  const files = readdirSync(example).filter((f) => f.endsWith('.ts')).map((f) => join(example, f));
  const options: ts.CompilerOptions = {
    strict: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Node10,
    resolveJsonModule: true, allowSyntheticDefaultImports: true, esModuleInterop: true, noEmit: true, skipLibCheck: true,
    types: [], typeRoots: [], baseUrl: example, paths: { mmgrpo: [join(root, 'dist', 'types', 'mmgrpo.d.ts')] },
  };
  const program = ts.createProgram(files, options);
  return files.flatMap((f) => {
    const sf = program.getSourceFile(f)!;
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => `${f}:${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  });
}

describe('the bundled example in the editor', function () {
  this.timeout(120_000);
  before(async () => {
    const { buildTypes } = (await import(join(root, 'scripts', 'buildTypes.mjs'))) as { buildTypes(root: string): string };
    buildTypes(root);
  });

  it('type-checks with zero diagnostics without Node typings (a user opening examples/banking77 alone)', () => {
    assert.deepEqual(diagnosticsOfExample(), []);
  });
});
