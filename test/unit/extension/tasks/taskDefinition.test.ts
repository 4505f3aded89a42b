import { strict as assert } from 'node:assert';
import { readSettings } from '../../../../src/extension/config';
import { backendRefusal, childEnv, cliArgs, evalsTrainedRun, LOCAL_CANNOT_TRAIN, parseTaskDefinition, type MmgrpoTaskDefinition } from '../../../../src/extension/tasks/taskDefinition';

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
      [{ type: 'mmgrpo', command: 'eval', task: 't.ts', resume: 'r1' }, /evaluation runs cannot be resumed/],
      [{ type: 'mmgrpo', command: 'train', task: 't.ts', strategy: 'p => w' }, /joined by "->"/],
      [{ type: 'mmgrpo', command: 'eval', task: 't.ts', strategy: 'p' }, /train and optimize only/],
      [{ type: 'mmgrpo', command: 'train', task: 't.ts', args: '--steps 4' }, /list of strings/],
      [{ type: 'mmgrpo', command: 'train', task: 't.ts', args: ['--resume', 'x'] }, /"--resume" is set by the extension/],
      [{ type: 'mmgrpo', command: 'train', task: 't.ts', resume: '../../etc' }, /must be a run id/],
    ];
    for (const [raw, re] of bad) {
      const r = parseTaskDefinition(raw);
      assert.equal(r.ok, false);
      assert.match((r as { error: string }).error, re);
    }
  });

  it('builds CLI arguments from the definition and settings, always with --json', () => {
    // One-click train = the composed run with the settings' strategy (default p -> w); optimize = prompts only.
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'train', task: 't.ts' }, settings), ['optimize', 't.ts', '--json', '--strategy', 'p -> w', '--backend', 'embedded']);
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'optimize', task: 't.ts' }, settings), ['optimize', 't.ts', '--json', '--strategy', 'p', '--backend', 'embedded']);
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'train', task: 't.ts', strategy: 'w' }, settings).slice(3, 5), ['--strategy', 'w']);
    const remote = readSettings((k) => ({ backend: 'remote', inferenceUrl: 'http://127.0.0.1:8000/v1', trainerUrl: '', model: 'qwen', trainStrategy: 'p -> w -> p' })[k]);
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'train', task: 't.ts' }, remote), ['optimize', 't.ts', '--json', '--strategy', 'p -> w -> p', '--backend', 'remote', '--inference-url', 'http://127.0.0.1:8000/v1', '--model', 'qwen']);
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'eval', task: 't.ts' }, remote), ['eval', 't.ts', '--json', '--base-url', 'http://127.0.0.1:8000/v1', '--model', 'qwen']);
    // A resume takes its configuration from the run, not from today's settings, with the command of the run's kind.
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'train', task: 't.ts', resume: 'r1' }, remote), ['optimize', '--resume', 'r1', '--json']);
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'train', task: 't.ts', resume: 'r1' }, remote, { resumeKind: 'train' }), ['train', '--resume', 'r1', '--json']);
  });

  it('evaluates the latest trained run on the embedded backend, and a server when one is set', () => {
    assert.equal(evalsTrainedRun(settings), true);
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'eval', task: 't.ts' }, settings, { evalRunId: 'r9' }), ['eval', 't.ts', '--json', '--run', 'r9']);
    const server = readSettings((k) => ({ inferenceUrl: 'http://127.0.0.1:8000/v1', model: 'm' })[k]);
    assert.equal(evalsTrainedRun(server), false);
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'eval', task: 't.ts' }, server, { evalRunId: 'r9' }), ['eval', 't.ts', '--json', '--base-url', 'http://127.0.0.1:8000/v1', '--model', 'm']);
  });

  it('appends per-task overrides from the settings, then the definition\'s own args', () => {
    const s = readSettings((k) => (k === 'taskOverrides' ? { './ex/task.ts': { args: ['--steps', '2'], evalArgs: ['--limit', '5'] }, 'other.ts': { args: ['--seed', '1'] } } : undefined));
    assert.deepEqual(s.problems, []);
    const args = cliArgs({ type: 'mmgrpo', command: 'train', task: 'ex/task.ts', args: ['--seed', '7'] }, s);
    assert.deepEqual(args.slice(-4), ['--steps', '2', '--seed', '7']);
    // Evaluate takes other flags than training: its own list.
    assert.deepEqual(cliArgs({ type: 'mmgrpo', command: 'eval', task: 'ex/task.ts' }, s, { evalRunId: 'r1' }), ['eval', 'ex/task.ts', '--json', '--run', 'r1', '--limit', '5']);
    assert.ok(!cliArgs({ type: 'mmgrpo', command: 'eval', task: 'third.ts' }, s).includes('--steps'));
  });

  it('reports unusable overrides as problems that say what to change, and ignores them', () => {
    const s = readSettings((k) => (k === 'taskOverrides' ? { 'a.ts': { args: '--steps 2' }, 'b.ts': { args: ['--json'] }, 'c.ts': { args: ['--steps', '3'] }, 'd.ts': { evalArgs: [1] } } : undefined));
    assert.equal(s.problems.length, 3);
    assert.match(s.problems[2]!, /"evalArgs" must be a list of strings/);
    assert.match(s.problems[0]!, /taskOverrides\["a.ts"\].*list of strings/);
    assert.match(s.problems[1]!, /"--json" is set by the extension/);
    assert.deepEqual(Object.keys(s.taskOverrides), ['c.ts']);
    assert.match(readSettings((k) => (k === 'taskOverrides' ? ['x'] : undefined)).problems[0]!, /must be an object/);
  });

  it('accepts the engine\'s strategies in any spacing or case, and reports others', () => {
    // The same set the CLI accepts: "w -> w" fits a p/w pattern but the engine refuses it.
    const r = parseTaskDefinition({ type: 'mmgrpo', command: 'train', task: 't.ts', strategy: ' P->W ' });
    assert.ok(r.ok && r.definition.strategy === 'p -> w');
    const refused = parseTaskDefinition({ type: 'mmgrpo', command: 'train', task: 't.ts', strategy: 'w -> w' });
    assert.match((refused as { error: string }).error, /must be one of "p", "w", "p -> w", "w -> p", "p -> w -> p"/);
    assert.equal(readSettings((k) => (k === 'trainStrategy' ? 'w->p' : undefined)).trainStrategy, 'w -> p');
    assert.equal(readSettings((k) => (k === 'trainStrategy' ? '  ' : undefined)).trainStrategy, 'p -> w');
    const bad = readSettings((k) => (k === 'trainStrategy' ? 'p -> p' : undefined));
    assert.equal(bad.trainStrategy, 'p -> w');
    assert.match(bad.problems[0]!, /mmgrpo\.trainStrategy must be one of .*\(got "p -> p"\); the default "p -> w" is used/);
  });

  it('passes the API key in the environment only', () => {
    const env = childEnv({ PATH: '/bin', GONE: undefined }, 'sk-secret');
    assert.deepEqual(env, { PATH: '/bin', MMGRPO_API_KEY: 'sk-secret' });
    assert.ok(!('MMGRPO_API_KEY' in childEnv({ PATH: '/bin' }, undefined)));
    assert.ok(!cliArgs({ type: 'mmgrpo', command: 'eval', task: 't.ts' }, settings).some((a) => a.includes('sk-')));
  });

  it('reads unknown backend values as embedded, and says so', () => {
    const s = readSettings((k) => (k === 'backend' ? 'gpu' : undefined));
    assert.equal(s.backend, 'embedded');
    assert.match(s.problems[0]!, /mmgrpo\.backend must be one of embedded, local, remote \(got "gpu"\)/);
    assert.deepEqual(settings.problems, [], 'no backend set is the default, not a problem');
  });

  describe('on the local backend (a pretrained model on the CPU, inference only)', () => {
    const local = readSettings((k) => ({ backend: 'local', localModel: ' smollm2 ', inferenceUrl: 'http://127.0.0.1:8000/v1', model: 'qwen' })[k]);
    const def = (command: MmgrpoTaskDefinition['command'], more: Partial<MmgrpoTaskDefinition> = {}): MmgrpoTaskDefinition => ({ type: 'mmgrpo', command, task: 't.ts', ...more });

    it('evaluates with the CLI starting the local model, not a server or the remote model', () => {
      // eval refuses --base-url with --backend local; mmgrpo.model is the remote server's model.
      assert.deepEqual(cliArgs(def('eval'), local), ['eval', 't.ts', '--json', '--backend', 'local', '--model', 'smollm2']);
      assert.equal(evalsTrainedRun(local), false);
      // The prompts of a local prompt optimization run, when evalTarget picked one.
      assert.deepEqual(cliArgs(def('eval'), local, { evalRunId: 'r2' }), ['eval', 't.ts', '--json', '--backend', 'local', '--model', 'smollm2', '--run', 'r2']);
      // No model set: the CLI's default local model.
      const bare = readSettings((k) => (k === 'backend' ? 'local' : undefined));
      assert.deepEqual(cliArgs(def('eval'), bare), ['eval', 't.ts', '--json', '--backend', 'local']);
    });

    it('optimizes prompts on the local model', () => {
      assert.deepEqual(cliArgs(def('optimize'), local), ['optimize', 't.ts', '--json', '--strategy', 'p', '--backend', 'local', '--model', 'smollm2']);
      assert.equal(backendRefusal(def('optimize'), local), undefined);
      const path = readSettings((k) => ({ backend: 'local', localModel: '/models/my.gguf' })[k]);
      assert.deepEqual(cliArgs(def('optimize'), path).slice(-2), ['--model', '/models/my.gguf']);
    });

    it('refuses what trains weights before any run starts, saying where weights train', () => {
      assert.match(LOCAL_CANNOT_TRAIN, /embedded or remote/);
      assert.ok(!LOCAL_CANNOT_TRAIN.includes('\n'), 'one line');
      assert.equal(backendRefusal(def('train'), local), LOCAL_CANNOT_TRAIN, 'the one-click Train is "p -> w"');
      assert.equal(backendRefusal(def('optimize', { strategy: 'w -> p' }), local), LOCAL_CANNOT_TRAIN);
      assert.equal(backendRefusal(def('optimize', { args: ['--init-from', 'ckpt'] }), local), LOCAL_CANNOT_TRAIN);
      assert.equal(backendRefusal(def('optimize', { args: ['--warm-start-epochs=2'] }), local), LOCAL_CANNOT_TRAIN);
      const warm = readSettings((k) => ({ backend: 'local', taskOverrides: { 't.ts': { args: ['--warm-start-epochs', '1'] } } })[k]);
      assert.equal(backendRefusal(def('optimize'), warm), LOCAL_CANNOT_TRAIN, 'the overrides count too');
      // What the CLI accepts on the local model starts.
      assert.equal(backendRefusal(def('optimize', { args: ['--warm-start-epochs', '0'] }), local), undefined);
      assert.equal(backendRefusal(def('train'), readSettings((k) => ({ backend: 'local', trainStrategy: 'p' })[k])), undefined, 'Train with strategy p only optimizes prompts');
      assert.equal(backendRefusal(def('eval'), local), undefined);
      assert.equal(backendRefusal(def('train', { resume: 'r1' }), local), undefined, 'a resume runs with its own run\'s backend');
      // The other backends train.
      assert.equal(backendRefusal(def('train'), settings), undefined);
      assert.equal(backendRefusal(def('train'), readSettings((k) => (k === 'backend' ? 'remote' : undefined))), undefined);
    });
  });
});
