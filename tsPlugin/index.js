// TypeScript server plugin (loaded by VS Code's TypeScript support through the
// extension's contributes.typescriptServerPlugins). User programs import
// `mmgrpo`, which the CLI resolves to its own SDK at run time; nothing is
// installed in the user's project, so without this the editor reports
// "Cannot find module 'mmgrpo'". When a project cannot resolve `mmgrpo`
// itself, the plugin resolves it to the SDK's declarations, built into
// dist/types by scripts/build.mjs. A real `mmgrpo` package, if a project has
// one, wins.
'use strict';
const fs = require('fs');
const path = require('path');

const MODULE = 'mmgrpo';

/** dist/types of the extension: beside this folder in the repository, two up inside node_modules. */
function typesFile() {
  for (const root of [path.join(__dirname, '..'), path.join(__dirname, '..', '..')]) {
    const file = path.join(root, 'dist', 'types', 'mmgrpo.d.ts');
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

function init(modules) {
  const ts = modules.typescript;
  const file = typesFile();
  const ours = () => ({ resolvedFileName: file, extension: ts.Extension.Dts, isExternalLibraryImport: true });

  function create(info) {
    const host = info.languageServiceHost;
    if (!file) {
      info.project.projectService.logger.info('mmgrpo-ts-plugin: dist/types/mmgrpo.d.ts not found; run the extension build.');
      return info.languageService;
    }
    if (typeof host.resolveModuleNameLiterals === 'function') {
      const resolve = host.resolveModuleNameLiterals.bind(host);
      host.resolveModuleNameLiterals = (literals, ...rest) =>
        resolve(literals, ...rest).map((r, i) => (literals[i].text === MODULE && !r.resolvedModule ? { ...r, resolvedModule: ours() } : r));
    } else if (typeof host.resolveModuleNames === 'function') {
      const resolve = host.resolveModuleNames.bind(host);
      host.resolveModuleNames = (names, ...rest) => resolve(names, ...rest).map((r, i) => (names[i] === MODULE && !r ? ours() : r));
    }
    return info.languageService;
  }
  return { create };
}

module.exports = init;
