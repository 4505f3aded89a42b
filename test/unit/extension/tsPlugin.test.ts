import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';

const root = resolve(__dirname, '..', '..', '..');

interface Plugin {
  create(info: unknown): ts.LanguageService;
}

/** A minimal language service host over in-memory user files, resolving modules like tsserver does. */
function serviceFor(files: Record<string, string>): { host: ts.LanguageServiceHost; service: ts.LanguageService } {
  const options: ts.CompilerOptions = { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, types: [] };
  const read = (f: string) => files[f] ?? (existsSync(f) ? readFileSync(f, 'utf8') : undefined);
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => Object.keys(files),
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => {
      const text = read(f);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => '/w',
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => read(f) !== undefined,
    readFile: read,
    resolveModuleNameLiterals: (literals, containingFile, _ref, opts) =>
      literals.map((l) => ts.resolveModuleName(l.text, containingFile, opts, { fileExists: (f) => read(f) !== undefined, readFile: read })),
  };
  return { host, service: ts.createLanguageService(host) };
}

const USER = { '/w/program.ts': "import { Predict, defineTask } from 'mmgrpo';\nconst p = new Predict('question -> answer');\nconst n: number = p;\nexport const t = defineTask;\n" };
const messages = (s: ts.LanguageService) => s.getSemanticDiagnostics('/w/program.ts').map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));

// The editor side of `import ... from 'mmgrpo'` (tsPlugin/): the user installs
// nothing, the extension's TypeScript plugin supplies the SDK's declarations.
describe('TypeScript plugin for the mmgrpo import', function () {
  this.timeout(60_000);
  before(async () => {
    const { buildTypes } = (await import(join(root, 'scripts', 'buildTypes.mjs'))) as { buildTypes(root: string): string };
    buildTypes(root);
  });

  it('without it, the import does not resolve (the problem it solves)', () => {
    assert.ok(messages(serviceFor(USER).service).some((m) => m.includes("Cannot find module 'mmgrpo'")));
  });

  it('with it, the SDK types check the user code: real errors stay, the import error goes', () => {
    const { host, service } = serviceFor(USER);
    const init = require(join(root, 'tsPlugin', 'index.js')) as (m: { typescript: typeof ts }) => Plugin;
    init({ typescript: ts }).create({ languageServiceHost: host, languageService: service, project: { projectService: { logger: { info() {} } } }, config: {} });
    assert.deepEqual(messages(service), ["Type 'Predict' is not assignable to type 'number'."]);
  });
});
