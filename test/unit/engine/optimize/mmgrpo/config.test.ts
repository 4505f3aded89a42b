import { strict as assert } from 'node:assert';
import { ConfigError, MMGRPO_DEFAULTS, resolveMMGRPOConfig } from '../../../../../src/engine/optimize/mmgrpo/config';
import { rewardFor } from '../../../../../src/engine/optimize/mmgrpo/reward';
import { teacherPolicies } from '../../../../../src/engine/optimize/mmgrpo/trainRun';
import { Module, Predict, defineTask } from '../../../../../src/engine/sdk';
import type { ProgramRun } from '../../../../../src/engine/trace';

describe('MMGRPO config', () => {
  it('fills every default', () => {
    const c = resolveMMGRPOConfig({ steps: 3, trainer: { beta: 0.04 } });
    assert.equal(c.steps, 3);
    assert.equal(c.trainer.beta, 0.04);
    assert.equal(c.trainer.lossType, MMGRPO_DEFAULTS.trainer.lossType);
    assert.equal(c.rolloutsPerExample, MMGRPO_DEFAULTS.rolloutsPerExample);
  });

  const bad: [string, Parameters<typeof resolveMMGRPOConfig>[0], RegExp][] = [
    ['fewer than 2 rollouts', { rolloutsPerExample: 1 }, /rolloutsPerExample must be at least 2/],
    ['format failure not below failure', { failureScore: 0, formatFailureScore: 0 }, /formatFailureScore \(0\) must be lower than failureScore \(0\).*Lower formatFailureScore/],
    ['unknown grouping mode', { groupingMode: 'zigzag' as never }, /groupingMode "zigzag" is unknown; use one of truncate, fill, ragged/],
    ['fill without strategy', { groupingMode: 'fill' }, /needs fillStrategy/],
    ['unknown loss', { trainer: { lossType: 'ppo' as never } }, /lossType "ppo" is unknown/],
    ['remote without URLs', { backend: { kind: 'remote' } }, /needs backend.inferenceUrl/],
    ['bad K', { selectKDiverse: 1 }, /selectKDiverse must be 0/],
    ['zero temperature', { temperature: 0 }, /temperature must be a number/],
  ];
  for (const [name, input, re] of bad) {
    it(`rejects ${name} with a message saying what to change`, () => {
      assert.throws(() => resolveMMGRPOConfig(input), (e: Error) => e instanceof ConfigError && re.test(e.message));
    });
  }
});

describe('MMGRPO failure scoring', () => {
  const s = { failureScore: 0, formatFailureScore: -1 };
  const run = (error?: ProgramRun['error']): ProgramRun => ({ trace: [], latencyMs: 1, error, outputs: error ? undefined : { a: 1 } });

  it('keeps a genuine 0 reward as 0', () => {
    assert.deepEqual(rewardFor(run(), { ok: true, score: 0 }, s), { reward: 0, kind: 'metric' });
  });

  it('gives parse failures partial credit by the fraction of fields that parsed', () => {
    const parse = (fractionParsed: number) =>
      run({ kind: 'parse', module: 'm', message: 'bad', info: { message: 'bad', parsedFields: [], missingFields: [], fractionParsed } });
    assert.equal(rewardFor(parse(0), undefined, s).reward, -1);
    assert.equal(rewardFor(parse(0.5), undefined, s).reward, -0.5);
    assert.equal(rewardFor(parse(0.5), undefined, { failureScore: 1, formatFailureScore: -1 }).reward, 0);
    assert.equal(rewardFor(parse(0.5), undefined, s).kind, 'format_failure');
  });

  it('scores program exceptions and metric errors at failureScore, keeping the error', () => {
    const r1 = rewardFor(run({ kind: 'program', message: 'boom' }), undefined, { failureScore: 0.1, formatFailureScore: -1 });
    assert.deepEqual(r1, { reward: 0.1, kind: 'failure', error: 'boom' });
    const r2 = rewardFor(run(), { ok: false, error: 'The metric returned NaN' }, s);
    assert.deepEqual(r2, { reward: 0, kind: 'failure', error: 'The metric returned NaN' });
  });
});

describe('MMGRPO config: unknown settings', () => {
  it('names a misspelled setting instead of ignoring it', () => {
    assert.throws(() => resolveMMGRPOConfig({ stepz: 3 } as never), /Unknown setting "stepz"/);
    assert.throws(() => resolveMMGRPOConfig({ trainer: { learningrate: 1 } } as never), /Unknown setting "trainer.learningrate"/);
    assert.doesNotThrow(() => resolveMMGRPOConfig({ backend: { kind: 'remote', inferenceUrl: 'http://a/v1', trainerUrl: 'http://a/v1', model: 'm' } }));
  });
});

describe('MMGRPO teachers', () => {
  it('names an unknown teacher and lists the task\'s teachers', () => {
    class P extends Module {
      p = new Predict('q -> a');
      async forward(i: { q: string }) {
        return this.p.forward(i);
      }
    }
    const task = defineTask({ name: 't', program: new P(), inputs: ['q'], trainset: [{ q: 'x' }], metric: () => 1, teachers: { fewShot: new P() } });
    assert.throws(() => teacherPolicies(task, ['nope'], undefined), /Unknown teacher "nope": task "t" defines fewShot/);
    assert.equal(teacherPolicies(task, ['fewShot'], undefined)[0].name, 'fewShot');
  });
});
