import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectFile } from '../../../../src/engine/discovery/detectFile';
import { WorkspaceIndex } from '../../../../src/engine/discovery/workspaceIndex';
import type { Module } from '../../../../src/engine/program/module';
import { BankingIntentProgram } from '../../../../examples/banking77/program';
import { AliasProgram } from '../../../fixtures/discovery/aliases';
import { Outer, Polished, SuperHop } from '../../../fixtures/discovery/crossFile';
import { Extended, Grand, Hop, Inline, MultiHop, WithCtor, makeInner } from '../../../fixtures/discovery/multiHop';
import { NsProgram } from '../../../fixtures/discovery/namespace';
import { fixture, FIXTURES } from './helpers';

const runtimeNames = (m: Module): string[] => m.namedPredictors().map(([n]) => n);

function staticNames(file: string, program: string): string[] {
  const { path, text } = fixture(file);
  const p = detectFile(path, text).programs.find((x) => x.name === program);
  assert.ok(p, `${program} not detected in ${file}`);
  return p.predictors.map((x) => x.name);
}

// The detector exists to name predictors before anything runs; these names must be the ones the engine will use.
describe('static names match Module.namedPredictors()', () => {
  const cases: Array<[string, string, () => Module]> = [
    ['aliases.ts', 'AliasProgram', () => new AliasProgram()],
    ['namespace.ts', 'NsProgram', () => new NsProgram()],
    ['multiHop.ts', 'Hop', () => new Hop()],
    ['multiHop.ts', 'MultiHop', () => new MultiHop()],
    ['multiHop.ts', 'Extended', () => new Extended()],
    ['multiHop.ts', 'Grand', () => new Grand()],
    ['multiHop.ts', 'Inline', () => new Inline()],
    ['multiHop.ts', 'WithCtor', () => new WithCtor()],
    ['multiHop.ts', 'Inner', makeInner],
  ];
  for (const [file, name, make] of cases) {
    it(`${name} (${file})`, () => assert.deepEqual(staticNames(file, name), runtimeNames(make())));
  }

  it('the banking77 example: triage and classify', () => {
    const path = join(__dirname, '../../../../examples/banking77/program.ts');
    const p = detectFile(path, readFileSync(path, 'utf8')).programs;
    assert.deepEqual(p.map((x) => x.name), ['BankingIntentProgram']);
    assert.deepEqual(p[0].predictors.map((x) => x.name), ['triage', 'classify']);
    assert.deepEqual(p[0].predictors.map((x) => x.name), runtimeNames(new BankingIntentProgram()));
  });

  it('cross-file bases and sub-modules, through the workspace index', () => {
    const index = new WorkspaceIndex();
    for (const f of ['multiHop.ts', 'namespace.ts', 'taskLocal.ts', 'crossFile.ts']) index.update(join(FIXTURES, f), fixture(f).text);
    const cases: Array<[string, Module]> = [['SuperHop', new SuperHop()], ['Outer', new Outer()], ['Polished', new Polished()]];
    for (const [name, instance] of cases) {
      assert.deepEqual(index.predictorsOf(name)?.map((p) => p.name), runtimeNames(instance), name);
    }
  });
});
