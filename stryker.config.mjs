// Mutation testing (issue 18): which modules are mutated and which unit test
// files can kill their mutants. Mocha runs only the mapped test files (not the
// whole unit suite, not test/integration), so a run over one module stays fast.
//
//   npm run test:mutation                                   # every module below
//   npm run test:mutation -- --mutate src/embedded/losses.ts  # one module (globs and lists work)
//   npm run test:mutation:ci   # the critical subset CI runs (its --mutate list is in package.json)
//
// The CI subset is incremental against test/mutation/ciBaseline.json (committed):
// only mutants whose code or covering tests changed since the baseline run
// again (about 1 minute when nothing changed, 14 for the whole subset on the
// shared 2-core machine). The run rewrites the file; commit it to move the baseline.
//
// Reports: reports/mutation/index.html (git-ignored).
import picomatch from 'picomatch';

/**
 * Source globs -> the unit test files that exercise them. One row per area.
 * Only tests that run the code in this process count: Stryker cannot see
 * coverage in child processes (the CLI end-to-end tests), so listing those
 * would only slow the initial run.
 */
export const MODULES = [
  {
    area: 'MMGRPO grouping, advantages, diverse selection, trainer batch planning',
    mutate: [
      'src/engine/optimize/mmgrpo/grouping.ts',
      'src/engine/optimize/mmgrpo/advantages.ts',
      'src/engine/optimize/mmgrpo/trainerBatch.ts',
    ],
    tests: ['test/unit/engine/optimize/mmgrpo/*.test.ts'],
  },
  {
    area: 'losses',
    mutate: ['src/embedded/losses.ts'],
    tests: ['test/unit/embedded/losses*.test.ts', 'test/unit/embedded/trainer*.test.ts'],
  },
  {
    area: "embedded model's ops and gradients",
    mutate: ['src/embedded/ops.ts', 'src/embedded/model.ts'],
    tests: ['test/unit/embedded/model*.test.ts', 'test/unit/embedded/ops*.test.ts', 'test/unit/embedded/trainer*.test.ts'],
  },
  {
    area: "sampler's constraints and constrained decoding",
    mutate: [
      'src/embedded/sampler.ts',
      'src/embedded/sampling.ts',
      'src/embedded/choiceTrie.ts',
      'src/embedded/utf8Mask.ts',
      'src/embedded/jsonConstraint*.ts',
    ],
    tests: [
      'test/unit/embedded/sampler*.test.ts',
      'test/unit/embedded/sampling*.test.ts',
      'test/unit/embedded/jsonConstraint*.test.ts',
      'test/unit/embedded/choiceTrie*.test.ts',
    ],
  },
  {
    area: "server's checks (bind address, token, Host, field validation)",
    mutate: ['src/embedded/server/**/*.ts'],
    tests: ['test/unit/embedded/server/*.test.ts'],
  },
  {
    area: 'secret scrubbing',
    mutate: ['src/engine/runs/secrets.ts'],
    tests: ['test/unit/engine/runs/*.test.ts'],
  },
  {
    area: 'run store writer/reader and event parsing (parseEvents)',
    mutate: ['src/engine/runs/runWriter.ts', 'src/engine/runs/runReader.ts'],
    tests: ['test/unit/engine/runs/*.test.ts'],
  },
];

/** The --mutate / -m values given on the command line, without line ranges; empty when absent. */
function mutateArgs(argv) {
  const i = argv.findIndex((a) => a === '--mutate' || a === '-m');
  if (i < 0 || argv[i + 1] === undefined) return [];
  return argv[i + 1].split(',').map((p) => p.replace(/:\d+(?::\d+)?-\d+(?::\d+)?$/, '').trim()).filter(Boolean);
}

function rowsFor(requested) {
  if (requested.length === 0) return MODULES;
  const rows = MODULES.filter((row) =>
    requested.some((req) => row.mutate.some((glob) => glob === req || picomatch(glob)(req) || picomatch(req)(glob))),
  );
  if (rows.length === 0) {
    throw new Error(
      `stryker.config.mjs: no unit tests are mapped to --mutate ${requested.join(',')}. ` +
        'Add a row for it to MODULES in stryker.config.mjs (its source globs and the test files that exercise it).',
    );
  }
  return rows;
}

const rows = rowsFor(mutateArgs(process.argv));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'mocha',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.stryker.json',
  // Per-test coverage: each mutant runs only the tests that reach it.
  coverageAnalysis: 'perTest',
  mutate: rows.flatMap((r) => r.mutate),
  mochaOptions: {
    'no-config': true,
    'no-package': true,
    spec: [...new Set(rows.flatMap((r) => r.tests))],
    require: ['tsx/cjs'],
    extension: ['ts'],
  },
  // Two cores shared with other work: one test runner and one checker.
  concurrency: 1,
  timeoutMS: 10000,
  thresholds: { high: 90, low: 80, break: 80 },
  reporters: ['html', 'clear-text', 'progress', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Build output, run folders and screenshots are not needed to run the unit tests.
  ignorePatterns: ['dist', 'out', 'artifacts', '.mmgrpo', 'reports', '*.vsix'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
