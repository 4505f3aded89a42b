import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

describe('panel stylesheet', () => {
  it("ships uPlot's stylesheet verbatim (the CSP loads media/panel.css only, and the report inlines that file)", () => {
    const uplot = readFileSync(join(root, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), 'utf8').trim();
    const panel = readFileSync(join(root, 'media', 'panel.css'), 'utf8');
    assert.ok(panel.includes(uplot), 'media/panel.css must contain node_modules/uplot/dist/uPlot.min.css (copy it again after a uPlot upgrade)');
  });
});
