#!/usr/bin/env node
'use strict';
// Entry of `npx mmgrpo`: runs the bundled CLI (built by `npm install` / `npm run build`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('mmgrpo: the CLI is not built yet. Run `npm run build` in ' + join(__dirname, '..') + '\n');
  process.exit(2);
}
require(cli)
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; });
