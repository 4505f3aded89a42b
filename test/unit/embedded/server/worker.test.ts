import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { EventEmitter } from 'node:events';
import { runServeCommand, parseServeArgs } from '../../../../src/embedded/server/main';
import { resolveWorkerScript, WorkerBackend } from '../../../../src/embedded/server/workerHost';
import { initializeBody, request, startFakeServer, stepBody, tempDir, type TestServer } from './httpHelpers';

const FAKE_MODULE = path.resolve(__dirname, '../../../fixtures/fakeBackend.ts');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (without a deadline: mocha's timeout is the bound) until the worker's step has started. */
async function waitForFlag(flags: Int32Array, index: number): Promise<void> {
  while (Atomics.load(flags, index) === 0) await sleep(5);
}

describe('embedded server: backend in a worker thread', function () {
  this.timeout(60_000);

  it('resolves the worker script next to the host, with tsx only for .ts sources', () => {
    const fromTs = resolveWorkerScript();
    assert.equal(fromTs.filename, path.resolve(__dirname, '../../../../src/embedded/server/backendWorker.ts'));
    assert.equal(fromTs.execArgv[0], '--require');
    assert.deepEqual(resolveWorkerScript('/x/dist/backendWorker.js').execArgv, []);
  });

  it('reports a factory that does not exist', async () => {
    await assert.rejects(
      WorkerBackend.start({ factoryModule: FAKE_MODULE, factoryExport: 'noSuchFactory' }),
      /no exported function `noSuchFactory`/,
    );
  });

  describe('with a step that blocks the worker thread', () => {
    let server: TestServer;
    let flags: Int32Array;
    before(async () => {
      const gate = new SharedArrayBuffer(8);
      flags = new Int32Array(gate);
      server = await startFakeServer({ worker: { factoryModule: FAKE_MODULE, factoryExport: 'createFakeBackend', options: { gate } } });
    });
    after(async () => {
      Atomics.store(flags, 1, 1);
      Atomics.notify(flags, 1);
      await server.close();
    });

    it('answers /v1/models and status while grpoStep runs, then serves the updated weights', async () => {
      const jobId: string = (await request(server, 'fine_tuning/grpo/initialize', { body: initializeBody() })).json.job_id;
      const stepping = request(server, 'fine_tuning/grpo/step', { body: stepBody(jobId, 3) });
      await waitForFlag(flags, 0);

      // The worker's thread is frozen in Atomics.wait: only a free HTTP thread can answer these.
      const models = await request(server, 'models');
      assert.equal(models.status, 200);
      const status = await request(server, 'fine_tuning/grpo/status', { body: { job_id: jobId } });
      assert.deepEqual(status.json.pending_batch_ids, [3]);
      assert.equal(Atomics.load(flags, 1), 0, 'the step is still blocked');

      // A chat sent during the step waits for it and gets the new weights.
      const chat = request(server, 'chat/completions', { body: { model: jobId, messages: [{ role: 'user', content: 'q' }] } });
      Atomics.store(flags, 1, 1);
      Atomics.notify(flags, 1);
      const done = await stepping;
      assert.equal(done.status, 200, done.text);
      assert.deepEqual(done.json.pending_batch_ids, []);
      assert.equal((await chat).json.choices[0].message.content, 'fake answer v1');

      const ck = await request(server, 'fine_tuning/grpo/terminate', { body: { job_id: jobId } });
      assert.equal(ck.status, 200, ck.text);
      assert.ok(fs.existsSync(path.join(ck.json.checkpoints.final.checkpoint_dir, 'fake.json')), 'the worker wrote the checkpoint');
    });
  });

  it('runServeCommand prints one JSON line, serves, and stops when stdin closes', async () => {
    const dir = tempDir();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    stderr.resume();
    const args = ['--port', '0', '--token', 'tok', '--model-dir', dir, '--exit-with-parent', '--backend-module', FAKE_MODULE, '--backend-export', 'createFakeBackend'];
    const exit = runServeCommand(args, { stdout, stderr, stdin, signals: new EventEmitter() });
    const line = await new Promise<string>((resolve) => stdout.once('data', (c: Buffer) => resolve(c.toString('utf8'))));
    assert.ok(line.endsWith('\n'));
    const ready = JSON.parse(line) as { baseUrl: string; token: string };
    assert.deepEqual(Object.keys(ready), ['baseUrl', 'token']);
    assert.equal(ready.token, 'tok');
    assert.equal((await request(ready, 'models')).status, 200);
    stdin.end();
    assert.equal(await exit, 0);
    await assert.rejects(request(ready, 'models'), /ECONNREFUSED/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runServeCommand stops on SIGTERM and rejects bad arguments', async () => {
    const signals = new EventEmitter();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const dir = tempDir();
    const args = ['--model-dir', dir, '--backend-module', FAKE_MODULE, '--backend-export', 'createFakeBackend'];
    const exit = runServeCommand(args, { stdout, stderr, stdin: new PassThrough(), signals });
    await new Promise((resolve) => stdout.once('data', resolve));
    signals.emit('SIGTERM');
    assert.equal(await exit, 0);
    assert.equal(signals.listenerCount('SIGINT'), 0, 'signal handlers are removed');
    fs.rmSync(dir, { recursive: true, force: true });

    const err = new PassThrough();
    const chunks: Buffer[] = [];
    err.on('data', (c: Buffer) => chunks.push(c));
    assert.equal(await runServeCommand(['--port', 'abc'], { stdout, stderr: err, stdin: new PassThrough(), signals }), 2);
    assert.match(Buffer.concat(chunks).toString(), /--port must be an integer/);
    assert.throws(() => parseServeArgs(['--bogus']), /Unknown option --bogus/);
    assert.throws(() => parseServeArgs(['--resume-training']), /--resume-training restores the state saved with a checkpoint; give that checkpoint with --init-from <dir>/);
    const resumed = parseServeArgs(['--init-from', 'ckpt', '--resume-training']);
    assert.equal(resumed.resumeTraining, true);
    assert.equal(parseServeArgs(['--init-from', 'ckpt']).resumeTraining, false);
  });
});
