import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { trainReport } from '../../../src/cli/trainReport';
import { formatSummary } from '../../../src/cli/commands/runsCommand';
import { sourceFiles } from '../../fixtures/sourceFiles';

const root = resolve(__dirname, '..', '..', '..');

describe('CLI scores: one format (protocol/scoreFormat), one vocabulary (issue 17 item 8, CLI side)', () => {
  it('no CLI, engine or extension file formats a percent itself', () => {
    const own = [...sourceFiles(join(root, 'src', 'cli')), ...sourceFiles(join(root, 'src', 'engine')), ...sourceFiles(join(root, 'src', 'extension'))].filter((f) => /\* 100\)\.toFixed|100 \* [a-z]\w*\)\.toFixed|[sS]core\)?\.toFixed/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(own.map((f) => f.slice(root.length + 1)), []);
  });

  it('runs list shows every score key as a percent, a stage\'s val score (p1/val) too', () => {
    assert.equal(formatSummary({ 'p1/val': 0.0833, 'val/best': 0.375, 'stages/finished': 2, 'val/best_step': 4 }), 'p1/val=8.3% val/best=37.5%');
  });

  it('train\'s final table: scores as percents, the change in percentage points, a missing score as a dash', () => {
    const text = trainReport([], { 'val/start': 0.204, 'val/best': 0.438, 'val/best_step': 16, 'train/steps': 16 });
    assert.match(text, /start \(step 0\)\s+20\.4%/);
    assert.match(text, /change \(best - start\)\s+\+23\.4 pp/);
    assert.match(text, /final \(step 16\)\s+–/);
  });
});
