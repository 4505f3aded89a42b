import { strict as assert } from 'node:assert';
import { detectFile } from '../../../../src/engine/discovery/detectFile';
import type { FileDetection, ProgramDetection } from '../../../../src/engine/discovery/types';
import { fixture, textAt } from './helpers';

function detect(name: string): FileDetection & { text: string } {
  const { path, text } = fixture(name);
  return { ...detectFile(path, text), text };
}

function program(d: FileDetection, name: string): ProgramDetection {
  const p = d.programs.find((x) => x.name === name);
  assert.ok(p, `program ${name} not found among ${d.programs.map((x) => x.name).join(', ')}`);
  return p;
}

const names = (p: ProgramDetection): string[] => p.predictors.map((x) => x.name);

describe('detectFile', () => {
  it('follows renamed imports of Module, Predict and ChainOfThought', () => {
    const d = detect('aliases.ts');
    const p = program(d, 'AliasProgram');
    assert.deepEqual(names(p), ['first', 'second']);
    assert.deepEqual(p.predictors.map((x) => x.kind), ['Predict', 'ChainOfThought']);
    assert.equal(p.predictors[1].instructions, 'Think, then "answer".');
    assert.equal(textAt(d.text, p.nameRange), 'AliasProgram');
    assert.ok(textAt(d.text, p.range).startsWith('export class AliasProgram extends M {'));
    assert.ok(textAt(d.text, p.range).endsWith('}'));
    assert.deepEqual(p.exportedAs, ['AliasProgram']);
  });

  it('keeps two predictors with the same signature apart', () => {
    const p = program(detect('aliases.ts'), 'AliasProgram');
    assert.equal(p.predictors[0].signature, 'question -> answer');
    assert.equal(p.predictors[1].signature, 'question -> answer');
    assert.equal(p.predictors.length, 2);
  });

  it('gives the exact range of an instruction literal, quotes included', () => {
    const d = detect('aliases.ts');
    const [first, second] = program(d, 'AliasProgram').predictors;
    assert.equal(textAt(d.text, first.instructionsRange!), "'Answer briefly.'");
    assert.equal(textAt(d.text, second.instructionsRange!), '"Think, then \\"answer\\"."');
    assert.deepEqual(first.instructionEdit, { kind: 'replace', range: first.instructionsRange, quote: "'" });
    assert.equal(textAt(d.text, first.range), "new P('question -> answer', { instructions: 'Answer briefly.' })");
    assert.ok(textAt(d.text, first.fieldRange).startsWith('first = new P('));
  });

  it('follows namespace imports', () => {
    const p = program(detect('namespace.ts'), 'NsProgram');
    assert.deepEqual(names(p), ['draft', 'polish']);
    assert.deepEqual(p.predictors.map((x) => [x.kind, x.signature, x.signatureStatic]), [
      ['Predict', 'topic -> draft', true],
      ['ChainOfThought', 'draft -> text', true],
    ]);
    assert.equal(p.predictors[1].instructions, undefined);
    assert.equal(p.predictors[1].instructionEdit?.kind, 'insertProperty');
  });

  it('follows require() in JavaScript: destructuring, renames, namespace and member forms', () => {
    const d = detect('requireStyle.js');
    assert.deepEqual(d.programs.map((p) => p.name), ['JsProgram', 'Other']);
    const js = program(d, 'JsProgram');
    assert.deepEqual(names(js), ['extract', 'answer']);
    assert.deepEqual(js.predictors.map((x) => x.kind), ['Predict', 'ChainOfThought']);
    assert.equal(js.predictors[1].instructions, 'Use only the facts.');
    assert.deepEqual(js.exportedAs, ['JsProgram']);
    assert.deepEqual(names(program(d, 'Other')), ['solo']);
  });

  it('names sub-modules, arrays and plain objects like the runtime walk', () => {
    const p = program(detect('multiHop.ts'), 'MultiHop');
    assert.deepEqual(names(p), [
      'first',
      'hop.generateQuery',
      'hop.summarize',
      'hops[0].generateQuery',
      'hops[0].summarize',
      'hops[1].generateQuery',
      'hops[1].summarize',
      'config.inner.judge',
      'config["odd key"]',
      'twin',
    ]);
    const sub = p.predictors.find((x) => x.name === 'hops[1].generateQuery')!;
    assert.equal(sub.declaredIn, 'Hop');
    assert.equal(sub.instructions, 'Write one search query.');
    assert.deepEqual(p.dynamic, []);
  });

  it('includes inherited fields first and keeps a redefined field in its place', () => {
    const d = detect('multiHop.ts');
    const ext = program(d, 'Extended');
    assert.equal(ext.predictors[0].name, 'first');
    assert.equal(ext.predictors[0].instructions, 'Overridden.');
    assert.equal(ext.predictors[0].declaredIn, 'Extended');
    // `alias = this.first` ran before the subclass replaced `first`: it keeps the base's predictor, now named `alias`.
    assert.deepEqual(names(ext).slice(-3), ['twin', 'alias', 'extra']);
    assert.equal(ext.predictors.find((x) => x.name === 'alias')?.declaredIn, 'MultiHop');
    assert.deepEqual(ext.base, { kind: 'local', name: 'MultiHop' });
    assert.deepEqual(names(program(d, 'Grand')).slice(-3), ['alias', 'extra', 'last']);
  });

  it('finds class expressions, nested classes and constructor assignments', () => {
    const d = detect('multiHop.ts');
    const inline = program(d, 'Inline');
    assert.deepEqual(names(inline), ['only']);
    assert.equal(textAt(d.text, inline.nameRange), 'Inline');
    assert.deepEqual(inline.exportedAs, ['Inline']);
    assert.deepEqual(names(program(d, 'Inner')), ['deep']);
    assert.deepEqual(program(d, 'Inner').exportedAs, []);
    assert.deepEqual(names(program(d, 'WithCtor')), ['early', 'declared', 'late']);
    assert.ok(!d.programs.some((p) => p.name === 'Helper'), 'a class that does not extend Module is no program');
  });

  it('names an anonymous default-exported class "default"', () => {
    const d = detect('defaultClass.ts');
    assert.equal(d.programs.length, 1);
    const p = d.programs[0];
    assert.equal(p.name, 'default');
    assert.deepEqual(p.exportedAs, ['default']);
    assert.equal(textAt(d.text, p.nameRange), 'class');
    assert.deepEqual(names(p), ['solo']);
  });

  it('reports non-literal signatures and instructions as source text, and run-time shapes as dynamic', () => {
    const d = detect('dynamic.ts');
    const p = program(d, 'DynamicProgram');
    assert.deepEqual(names(p), ['byConst', 'templated', 'noOptions', 'spread[0]']);
    const [byConst, templated, noOptions] = p.predictors;
    assert.deepEqual([byConst.signature, byConst.signatureStatic], ['SIGNATURE', false]);
    assert.equal(byConst.instructions, undefined);
    assert.equal(byConst.instructionsSource, 'INSTRUCTIONS');
    assert.equal(byConst.instructionEdit, undefined, 'instructions held in a constant are not rewritten in place');
    assert.deepEqual([templated.signature, templated.signatureStatic], ['`${SIGNATURE}, context`', false]);
    assert.equal(noOptions.instructionEdit?.kind, 'insertArgument');
    assert.deepEqual(p.dynamic.map((x) => x.name), ['spread', 'built', '']);
    assert.equal(textAt(d.text, p.dynamic[2].range), "new Predict('inline -> thing')");
  });

  it('ignores a class named Module that does not come from mmgrpo', () => {
    const d = detect('notMmgrpo.ts');
    assert.deepEqual(d.programs, []);
    // It extends an import, so only the workspace pass can rule it out.
    assert.deepEqual(d.candidates.map((c) => c.name), ['LookAlike']);
    assert.deepEqual(d.candidates[0].predictors, [], 'Predict from elsewhere is not a predictor');
  });

  it('finds nothing in a file that mentions mmgrpo only in comments and strings', () => {
    const d = detect('commentOnly.ts');
    assert.deepEqual([d.programs, d.candidates, d.tasks, d.diagnostics], [[], [], [], []]);
  });

  it('reports syntax errors with 0-based line numbers', () => {
    const d = detect('broken.js');
    assert.equal(d.diagnostics.length, 1);
    assert.equal(d.diagnostics[0].message, "')' expected.");
    assert.equal(d.diagnostics[0].range.start.line, 3);
  });

  it('records re-exports and forwarded imports', () => {
    assert.deepEqual(detect('barrel.ts').reExports, [
      { specifier: './multiHop', importedName: 'MultiHop', exportedName: 'Renamed' },
      { specifier: './namespace', importedName: '*', exportedName: '*' },
    ]);
    assert.deepEqual(detect('taskLocal.ts').reExports, [{ specifier: './namespace', importedName: 'NsProgram', exportedName: 'NsProgram' }]);
  });

  it('handles `import x = require()`, class expressions on exports and a parenthesized base', () => {
    const ts = "import mm = require('mmgrpo');\nexport class A extends (mm.Module) {\n  p = new mm.Predict('a -> b');\n}\n";
    assert.deepEqual(detectFile('/w/a.ts', ts).programs.map((p) => [p.name, names(p)]), [['A', ['p']]]);
    const js = "const { Module, Predict } = require('mmgrpo');\nexports.B = class extends Module {\n  q = new Predict('a -> b');\n};\n";
    const [b] = detectFile('/w/b.js', js).programs;
    assert.deepEqual([b.name, b.exportedAs, names(b)], ['B', ['B'], ['q']]);
  });
});
