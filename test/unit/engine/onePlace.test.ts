import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { defineTask } from '../../../src/engine/tasks/defineTask';
import { searchExamples, validationExamples, valsetOf, USE_TRAIN_AS_VAL } from '../../../src/engine/tasks/valset';
import { Module } from '../../../src/engine/program/module';
import { Predict } from '../../../src/engine/program/predict';
import { OptimizeRunConfigSchema, savedRunConfig, TrainRunConfigSchema } from '../../../src/engine/optimize/runConfig';
import { savedConfigOf } from '../../../src/engine/optimize/mmgrpo/trainRun';
import { MMGRPO_DEFAULTS } from '../../../src/engine/optimize/mmgrpo/config';
import { MmgrpoError } from '../../../src/protocol/errors';
import type { RunManifest } from '../../../src/protocol/events';
import { sourceFiles } from '../../fixtures/sourceFiles';

const root = resolve(__dirname, '..', '..', '..');

const ours = () => sourceFiles(join(root, 'src', 'engine'), join(root, 'src', 'cli'), join(root, 'src', 'protocol'));
const filesMatching = (re: RegExp) => ours().filter((f) => re.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));

class Echo extends Module {
  answer = new Predict('question -> answer');
  forward(input: { question: string }) {
    return this.answer.forward(input);
  }
}
const task = (valset?: { question: string; answer: string }[]) =>
  defineTask({ name: 'echo', program: new Echo(), inputs: ['question'], trainset: [{ question: 'q1', answer: 'a1' }], ...(valset ? { valset } : {}), metric: () => 1 });

describe('one place each (issue 17 item 18, engine and CLI)', () => {
  it('the no-valset rule: valset, else the trainset with useTrainAsVal, else one clear error (exit 1, a task-file problem)', () => {
    const withVal = task([{ question: 'v', answer: 'w' }]);
    assert.equal(validationExamples(withVal, false), withVal.valset);
    const noVal = task();
    assert.equal(validationExamples(noVal, true), noVal.trainset);
    assert.equal(validationExamples(noVal, false), undefined);
    assert.throws(() => valsetOf(noVal, false, USE_TRAIN_AS_VAL), (e: unknown) => e instanceof MmgrpoError && e.exitCode === 1 && e.message === 'Task "echo" has no valset: add `valset` to defineTask, or set useTrainAsVal in --config to validate on the trainset.');
    assert.equal(searchExamples(noVal), noVal.trainset);
    assert.deepEqual(filesMatching(/valset\?\.length/), ['src/engine/tasks/valset.ts']);
  });

  it('opening a run: one function builds manifests and creates run folders (train, optimize, eval)', () => {
    assert.deepEqual(filesMatching(/buildManifest\(\{|RunWriter\.create\(/), ['src/engine/runs/openRun.ts']);
  });

  it('the loss types: one list, in protocol/trainer.ts', () => {
    assert.deepEqual(filesMatching(/'dr_grpo'/), ['src/protocol/trainer.ts']);
  });

  it('a run\'s saved config is typed and checked when read back, not cast', () => {
    assert.deepEqual(filesMatching(/manifest\.config as/), []);
    const config = savedConfigOf({ config: MMGRPO_DEFAULTS, warmStart: { epochs: 0, learningRate: 1e-3, batchSize: 16 }, guidedChoice: true, adapter: 'chat' } as never);
    const manifest = (c: unknown) => ({ id: 'run-1', config: JSON.parse(JSON.stringify(c)) }) as RunManifest;
    assert.equal(savedRunConfig(manifest(config), TrainRunConfigSchema).mmgrpo.steps, MMGRPO_DEFAULTS.steps);
    assert.throws(() => savedRunConfig(manifest(config), OptimizeRunConfigSchema), /config\.strategy/);
  });

  it('B58 resuming a run whose run.json config this engine cannot read (edited or from another version)', () => {
    const config = savedConfigOf({ config: MMGRPO_DEFAULTS, warmStart: { epochs: 0, learningRate: 1e-3, batchSize: 16 }, guidedChoice: true, adapter: 'chat' } as never);
    const manifest = { id: 'run-1', config: { ...JSON.parse(JSON.stringify(config)), adapter: 'xml' } } as unknown as RunManifest;
    assert.throws(
      () => savedRunConfig(manifest, TrainRunConfigSchema),
      (e: unknown) => e instanceof MmgrpoError && e.message === 'Run run-1 cannot be resumed: config.adapter in its run.json does not fit this engine\'s settings (Invalid option: expected one of "chat"|"json"); start a new run.',
    );
  });

  it('dead exports are gone and UsageSnapshot is no second name for UsageTotals', () => {
    const exported = (file: string) => [...readFileSync(join(root, file), 'utf8').matchAll(/^export (?:const|function|class|interface|type) (\w+)/gm)].map((m) => m[1]);
    const everything = [...ours(), ...sourceFiles(join(root, 'src', 'embedded'), join(root, 'src', 'extension'), join(root, 'src', 'webview'), join(root, 'test'))].map((f) => [f, readFileSync(f, 'utf8')] as const);
    for (const file of ['src/engine/program/fieldTypes.ts', 'src/protocol/trainer.ts', 'src/cli/errors.ts']) {
      const unused = exported(file).filter((name) => !everything.some(([f, text]) => !f.endsWith(file) && new RegExp(`\\b${name}\\b`).test(text)));
      assert.deepEqual(unused, [], `${file} exports what nothing imports`);
    }
    assert.deepEqual(filesMatching(/UsageSnapshot/), []);
  });
});
