import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { BackendRequestError, type GenerateRequest } from '../../../../src/embedded/backend';
import { LockedBackend } from '../../../../src/embedded/server/lockedBackend';
import { WorkerBackend } from '../../../../src/embedded/server/workerHost';
import { createTinyBackend } from '../../../../src/embedded/tinyBackend';
import { FakeBackend } from '../../../fixtures/fakeBackend';
import { setupTf, tinyConfig } from '../helpers';
import { request, sseData, startFakeServer } from './httpHelpers';

const FAKE_MODULE = path.resolve(__dirname, '../../../fixtures/fakeBackend.ts');

const req = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content: 'hi' }], temperature: 1, top_p: 1, max_tokens: 8, n: 1, logprobs: false, top_logprobs: 0, ...extra,
});

type Delta = [number, string];

/** A backend whose setReference (a weight write) holds until released. */
class HeldWrites extends FakeBackend {
  release!: () => void;
  override setReference(): Promise<void> {
    return new Promise<void>((resolve) => (this.release = resolve));
  }
}

describe('embedded server: deltas and aborts through the backend layers', function () {
  this.timeout(60_000);

  describe('a backend in a worker thread', () => {
    let backend: WorkerBackend;
    before(async () => {
      const features = { training: false, logprobs: true, responseFormat: false };
      backend = await WorkerBackend.start({ factoryModule: FAKE_MODULE, factoryExport: 'createFakeBackend', options: { features, deltaDelayMs: 30 } });
    });
    after(async () => {
      await backend.dispose();
    });

    it("reports the worker backend's features", () => {
      assert.deepEqual(backend.features, { training: false, logprobs: true, responseFormat: false });
    });

    it('forwards each delta as the worker reports it, before the result', async () => {
      const deltas: Delta[] = [];
      let resolved = false;
      const pending = backend.generate(req({ n: 2 }), (i, t) => deltas.push([i, t])).then((r) => {
        resolved = true;
        return r;
      });
      while (deltas.length === 0 && !resolved) await new Promise((r) => setTimeout(r, 2));
      assert.equal(resolved, false, 'the first delta arrived while the worker was still generating');
      const result = await pending;
      for (const i of [0, 1]) {
        assert.equal(deltas.filter(([k]) => k === i).map(([, t]) => t).join(''), result.choices[i].text);
      }
    });

    it('aborts the generation inside the worker', async () => {
      const controller = new AbortController();
      const pending = backend.generate(req(), () => controller.abort(), controller.signal);
      await assert.rejects(pending, (err: Error) => err.name === 'AbortError' && /caller aborted/.test(err.message));
      const already = backend.generate(req(), undefined, AbortSignal.abort());
      await assert.rejects(already, (err: Error) => err.name === 'AbortError');
      assert.equal((await backend.generate(req())).choices[0].text, 'fake answer v0', 'the worker keeps serving');
    });

    it('keeps a refused request a BackendRequestError across the thread boundary, field included', async () => {
      const refusing = await WorkerBackend.start({
        factoryModule: FAKE_MODULE, factoryExport: 'createFakeBackend', options: { refuseRequest: { message: 'schema keyword not supported', param: 'response_format' } },
      });
      try {
        await assert.rejects(refusing.generate(req()), (err: Error) => err instanceof BackendRequestError && err.param === 'response_format' && /keyword/.test(err.message));
      } finally {
        await refusing.dispose();
      }
    });

    it('streams to an HTTP client through the server', async () => {
      const server = await startFakeServer({ worker: { factoryModule: FAKE_MODULE, factoryExport: 'createFakeBackend' } });
      try {
        const res = await request(server, 'chat/completions', { body: { model: 'tiny-fake', messages: [{ role: 'user', content: 'q' }], stream: true } });
        const chunks = sseData(res.text).slice(1, -2) as Array<{ choices: Array<{ delta: { content: string } }> }>;
        assert.deepEqual(chunks.map((c) => c.choices[0].delta.content), ['fake ', 'answer ', 'v0']);
      } finally {
        await server.close();
      }
    });
  });

  it('LockedBackend passes deltas and the signal through, and skips a call aborted while it waited', async () => {
    const inner = new HeldWrites();
    const locked = new LockedBackend(inner);
    assert.deepEqual(locked.features, inner.features);
    const deltas: string[] = [];
    const signal = new AbortController().signal;
    await locked.generate(req(), (_, t) => deltas.push(t), signal);
    assert.deepEqual(deltas, ['fake ', 'answer ', 'v0']);
    assert.equal(inner.record.signals[0], signal);

    const writing = locked.setReference();
    const controller = new AbortController();
    const waiting = locked.generate(req(), undefined, controller.signal);
    await new Promise((r) => setImmediate(r));
    controller.abort(new DOMException('gone', 'AbortError'));
    inner.release();
    await writing;
    await assert.rejects(waiting, /gone/);
    assert.equal(inner.record.generates.length, 1, 'the aborted call never reached the backend');
  });

  describe('the tiny backend', () => {
    before(setupTf);

    it('declares its features and reports deltas that concatenate to each choice', async () => {
      const tiny = await createTinyBackend({ config: tinyConfig() });
      try {
        assert.deepEqual(tiny.features, { training: true, logprobs: true, responseFormat: true });
        const deltas: Delta[] = [];
        const result = await tiny.generate(req({ n: 2, seed: 1 }), (i, t) => deltas.push([i, t]));
        for (const i of [0, 1]) {
          assert.equal(deltas.filter(([k]) => k === i).map(([, t]) => t).join(''), result.choices[i].text);
        }
        assert.ok(deltas.length > 2);
        await assert.rejects(tiny.generate(req(), undefined, AbortSignal.abort()), (err: Error) => err.name === 'AbortError');
      } finally {
        await tiny.dispose();
      }
    });
  });
});
