import { strict as assert } from 'node:assert';
import { readSettings } from '../../../../src/extension/config';
import { childEnv, cliArgs, parseTaskDefinition } from '../../../../src/extension/tasks/taskDefinition';

const settings = readSettings(() => undefined);

describe('mmgrpo task definitions', () => {
  it('accepts the three commands and a resume of a training run', () => {
    for (const command of ['train', 'eval', 'optimize']) {
      const r = parseTaskDefinition({ type: 'mmgrpo', command, task: ' examples/qa/task.ts ' });
      assert.deepEqual(r, { ok: true, definition: { type: 'mmgrpo', command, task: 'examples/qa/task.ts' } });
    }
    const r = parseTaskDefinition({ type: 'mmgrpo', command: 'train', task: 't.ts', resume: '20261130-101502-qa-3fa9' });
    assert.ok(r.ok && r.definition.resume === '20261130-101502-qa-3fa9');
  });

  it('rejects bad definitions with messages that say what to change', () => {
    const bad: [unknown, RegExp][] = [
      [null, /must be an object/],
      [{ type: 'shell', command: 'train', task: 't.ts' }, /type must be "mmgrpo"/],
      [{ type: 'mmgrpo', command: 'serve', task: 't.ts' }, /one of train, eval, optimize/],
      [{ type: 'mmgrpo', command: 'train', task: '' }, /path of a task file/],
      [{ type: 'mmgrpo', command: 'eval', task: 't.ts', resume: 'r1' }, /only "train" runs can be resumed/],
      [{ type: 'mmgrpo', command: 'train', task: 't.ts', resume: '../../etc' }, /must be a run id/],
    ];
    for (const [raw, re] of bad) {
      const r = parseTaskDefinition(raw);
      assert.equal(r.ok, false);
      assert.match((r as { error: string }).error, re);
    }
  });

  it('builds CLI arguments from the definition and settings, always with --json', () => {
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'train', task: 't.ts' }, settings), ['train', 't.ts', '--json', '--backend', 'embedded']);
    const remote = readSettings((k) => ({ backend: 'remote', inferenceUrl: 'http://127.0.0.1:8000/v1', trainerUrl: '', model: 'qwen' })[k]);
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'train', task: 't.ts' }, remote), ['train', 't.ts', '--json', '--backend', 'remote', '--inference-url', 'http://127.0.0.1:8000/v1', '--model', 'qwen']);
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'eval', task: 't.ts' }, remote), ['eval', 't.ts', '--json', '--base-url', 'http://127.0.0.1:8000/v1', '--model', 'qwen']);
    // A resume takes its configuration from the run, not from today's settings.
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'train', task: 't.ts', resume: 'r1' }, remote), ['train', '--resume', 'r1', '--json']);
  });

  it('passes the API key in the environment only', () => {
    const env = childEnv({ PATH: '/bin', GONE: undefined }, 'sk-secret');
    assert.deepEqual(env, { PATH: '/bin', MMGRPO_API_KEY: 'sk-secret' });
    assert.ok(!('MMGRPO_API_KEY' in childEnv({ PATH: '/bin' }, undefined)));
    assert.ok(!cliArgs({ type: 'mmgrpo', command: 'eval', task: 't.ts' }, settings).some((a) => a.includes('sk-')));
  });

  it('reads unknown backend values as embedded', () => {
    assert.equal(readSettings((k) => (k === 'backend' ? 'gpu' : undefined)).backend, 'embedded');
  });
});
