import { strict as assert } from 'node:assert';
import { detectFile } from '../../../../src/engine/discovery/detectFile';
import { instructionTextEdit, quoteString } from '../../../../src/engine/discovery/instructionEdit';
import { applyEdit } from './helpers';

const HEAD = "import { Module, Predict } from 'mmgrpo';\nexport class P extends Module {\n";
const TAIL = '  async forward() { return {}; }\n}\n';

/** Applies the optimized instruction, re-detects, and returns what the detector now reads. */
function roundTrip(field: string, instruction: string): { text: string; instructions?: string } {
  const text = HEAD + field + TAIL;
  const [pred] = detectFile('/w/p.ts', text).programs[0].predictors;
  assert.ok(pred.instructionEdit, 'expected an editable predictor');
  const edit = instructionTextEdit(pred.instructionEdit, instruction);
  const next = applyEdit(text, edit.range, edit.newText);
  const det = detectFile('/w/p.ts', next);
  assert.deepEqual(det.diagnostics, []);
  return { text: next, instructions: det.programs[0].predictors[0].instructions };
}

const TRICKY = 'Say "hi" it\'s `ok` ${x} \\ done\nsecond line';

describe('instructionTextEdit', () => {
  for (const q of ["'", '"', '`'] as const) {
    it(`replaces a ${q}-quoted literal and keeps its quote style`, () => {
      const r = roundTrip(`  a = new Predict('a -> b', { instructions: ${q}old${q} });\n`, TRICKY);
      assert.equal(r.instructions, TRICKY);
      assert.ok(r.text.includes(`instructions: ${q}Say`));
    });
  }

  it('adds an instructions property to an options object', () => {
    const r = roundTrip("  a = new Predict('a -> b', { demos: [] });\n", 'New one.');
    assert.equal(r.instructions, 'New one.');
  });

  it('adds an options argument when there is none', () => {
    const r = roundTrip("  a = new Predict('a -> b');\n", 'New one.');
    assert.equal(r.instructions, 'New one.');
    assert.ok(r.text.includes("new Predict('a -> b', { instructions: 'New one.' })"));
  });

  it('offers no edit when a spread could override what it writes', () => {
    const text = HEAD + "  a = new Predict('a -> b', { ...base });\n" + TAIL;
    assert.equal(detectFile('/w/p.ts', text).programs[0].predictors[0].instructionEdit, undefined);
  });

  it('quoteString escapes what would end or change the literal', () => {
    assert.equal(quoteString("it's", "'"), "'it\\'s'");
    assert.equal(quoteString('a\nb', '"'), '"a\\nb"');
    assert.equal(quoteString('${x}`', '`'), '`\\${x}\\``');
  });
});
