import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setLogSink } from '../../../src/extension/log';
import { RunCache, readRunAsync } from '../../../src/extension/runs/runData';
import { manifest } from './helpers';
import { sourceFiles } from '../../fixtures/sourceFiles';

const SRC = join(__dirname, '..', '..', '..', 'src', 'extension');

function capture(): { lines: string[]; done(): void } {
  const lines: string[] = [];
  setLogSink({ trace: (m) => lines.push(`trace ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) });
  return { lines, done: () => setLogSink(undefined) };
}

describe('the extension log (errors are reported, not swallowed)', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mmgrpo-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has no catch block that drops the error unseen (src/extension; the panel is its owner\'s)', () => {
    const offenders = sourceFiles(SRC)
      .filter((f) => !f.includes(`${join('extension', 'panel')}`))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').map((l, i) => [f, i + 1, l] as const))
      .filter(([, , l]) => /catch\s*\{|\.catch\(\(\)\s*=>/.test(l))
      .map(([f, n]) => `${f}:${n}`);
    assert.deepEqual(offenders, []);
  });

  it('says in the log why a run shows without its result, and why a folder is skipped', async () => {
    const run = join(dir, 'r1');
    mkdirSync(run);
    writeFileSync(join(run, 'run.json'), JSON.stringify(manifest({ id: 'r1', taskFile: '/w/t.ts' })));
    writeFileSync(join(run, 'events.jsonl'), '');
    writeFileSync(join(run, 'result.json'), '{"programState": ');
    mkdirSync(join(dir, 'not-a-run'));
    writeFileSync(join(dir, 'not-a-run', 'run.json'), '{ torn');
    const log = capture();
    try {
      const r = await readRunAsync(run, () => false);
      assert.equal(r.resultState, undefined);
      const runs = await new RunCache(() => false).list(dir);
      assert.deepEqual(runs.map((x) => x.id), ['r1']);
    } finally {
      log.done();
    }
    assert.ok(log.lines.some((l) => /^warn .*result\.json is not valid JSON/.test(l)), log.lines.join('\n'));
    assert.ok(log.lines.some((l) => /^warn Skipping .*not-a-run/.test(l)), log.lines.join('\n'));
    // Optional files that are simply absent (no lock, no result) are trace, not warnings.
    assert.ok(!log.lines.some((l) => /^warn .*ENOENT/.test(l)), log.lines.join('\n'));
  });
});
