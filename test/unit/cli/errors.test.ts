import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reportError, UsageError } from '../../../src/cli/errors';
import { EXIT, MmgrpoError } from '../../../src/protocol/errors';
import { StrategyError } from '../../../src/engine/optimize/compose/strategy';
import { SignatureError } from '../../../src/engine/program/signatureError';
import { ConfigError } from '../../../src/engine/optimize/mmgrpo/config';
import { TaskLoadError } from '../../../src/engine/tasks/loadTask';
import { sourceFiles } from '../../fixtures/sourceFiles';

const root = resolve(__dirname, '..', '..', '..');

describe('CLI errors: one base class, mapped by the base class', () => {
  it('a StrategyError reaches the user with its message and exit code 2, not as "unexpected error"', () => {
    const r = reportError(new StrategyError('Unknown strategy "q": use one of p, w.'), false);
    assert.equal(r.text, 'mmgrpo: Unknown strategy "q": use one of p, w.\n');
    assert.equal(r.code, EXIT.usage);
  });

  it('a SignatureError reaches the user with its message (exit 1: a task-file problem)', () => {
    const r = reportError(new SignatureError('expected "->"', 'a b', 2), false);
    assert.match(r.text, /^mmgrpo: Malformed signature "a b" at column 2: expected "->"/);
    assert.doesNotMatch(r.text, /unexpected/);
    assert.equal(r.code, EXIT.failed);
  });

  it('prints the hint under the message, and usage errors keep their "mmgrpo <command>:" prefix once', () => {
    const r = reportError(new UsageError('mmgrpo eval: --limit must be an integer >= 1 (got "0").', 'give a positive number'), false);
    assert.equal(r.text, 'mmgrpo eval: --limit must be an integer >= 1 (got "0").\n  hint: give a positive number\n');
    assert.equal(r.code, 2);
  });

  it('bad settings exit 2, task-file errors exit 1 (the rule in README and docs/bad-input.md)', () => {
    assert.equal(reportError(new ConfigError('x'), false).code, 2);
    assert.equal(reportError(new TaskLoadError('x', 'f.ts'), false).code, 1);
  });

  it('README and docs/bad-input.md state the same exit-code rule, the one the error classes follow', () => {
    const rule = /Exit codes, one rule: bad\s+input on the command line \(flags, arguments, `--config` settings, strategy\)\s+exits 2; every other\s+known error \(task file, LM server, trainer, run store,\s+models\) exits 1; a cancelled run \(Ctrl-C\) exits 130\./;
    assert.match(readFileSync(join(root, 'README.md'), 'utf8'), rule);
    assert.match(readFileSync(join(root, 'docs', 'bad-input.md'), 'utf8'), rule);
    assert.deepEqual(EXIT, { ok: 0, failed: 1, usage: 2, cancelled: 130 });
  });

  it('a plain Error is an unexpected error with a hint to report it; the stack only in debug', () => {
    const r = reportError(new TypeError('boom'), false);
    assert.match(r.text, /^mmgrpo: unexpected error: boom\n  hint: This is a bug in mmgrpo.*please report it.*MMGRPO_DEBUG=1/);
    assert.doesNotMatch(r.text, /at .*errors\.test/);
    assert.equal(r.code, EXIT.failed);
    assert.match(reportError(new TypeError('boom'), true).text, /TypeError: boom\n\s+at /);
  });

  it('every error class in src/engine and src/cli extends MmgrpoError (directly or through one that does)', () => {
    const classes = new Map<string, string>();
    for (const file of [...sourceFiles(join(root, 'src', 'engine')), ...sourceFiles(join(root, 'src', 'cli'))]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/class (\w+) extends (\w+)/g)) if (/Error$/.test(m[1])) classes.set(m[1], m[2]);
    }
    assert.ok(classes.size >= 12, `found only ${classes.size} error classes`);
    const reaches = (name: string): boolean => name === 'MmgrpoError' || (classes.has(name) && reaches(classes.get(name)!));
    const stray = [...classes].filter(([name]) => name !== 'MmgrpoError' && !reaches(name)).map(([n, base]) => `${n} extends ${base}`);
    assert.deepEqual(stray, []);
    assert.ok(new StrategyError('x') instanceof MmgrpoError);
  });
});
