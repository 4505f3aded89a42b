import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Issue 18: shared concepts live where their names say, and nothing is
// exported that no one imports (a dead export reads like an API to keep).

const root = join(__dirname, '..', '..', '..');
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : /\.(ts|mjs|js)$/.test(n) ? [p] : [];
  });

describe('extension layout', () => {
  it('keeps the run model in runs/ and the command table in commands/', () => {
    assert.ok(existsSync(join(root, 'src', 'extension', 'runs', 'runFacts.ts')));
    assert.ok(existsSync(join(root, 'src', 'extension', 'commands', 'index.ts')));
    assert.equal(existsSync(join(root, 'src', 'extension', 'lenses', 'runFacts.ts')), false, 'the run model is not a lens concept');
    assert.equal(existsSync(join(root, 'src', 'extension', 'commands.ts')), false, 'one commands folder, not a file beside it');
  });

  it('exports no value from src/extension that nothing else uses (the panel is its owner\'s)', () => {
    const ext = walk(join(root, 'src', 'extension')).filter((f) => !f.includes(join('extension', 'panel')));
    const others = [...walk(join(root, 'src')), ...walk(join(root, 'test')), ...walk(join(root, 'scripts'))];
    const texts = new Map(others.map((f) => [f, readFileSync(f, 'utf8')]));
    const dead: string[] = [];
    for (const f of ext) {
      // Types may stay exported: they spell out the signatures of exported functions.
      for (const m of texts.get(f)!.matchAll(/^export (?:async )?(?:const|let|function|class|enum) (\w+)/gm)) {
        const used = new RegExp(`\\b${m[1]}\\b`);
        if (!others.some((o) => o !== f && used.test(texts.get(o)!))) dead.push(`${relative(root, f)}: ${m[1]}`);
      }
    }
    assert.deepEqual(dead, []);
  });
});
