import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { withCancelSignal } from '../../../src/cli/cancel';

const root = resolve(__dirname, '..', '..', '..');

describe('Ctrl-C handling: one helper for train, optimize, eval and models pull (issue 17 item 18)', () => {
  for (const sig of ['SIGINT', 'SIGTERM']) {
    it(`${sig} aborts the run's signal, and the handlers are gone afterwards`, async () => {
      const proc = new EventEmitter();
      const aborted = await withCancelSignal(async (signal) => {
        proc.emit(sig);
        return signal.aborted;
      }, proc);
      assert.equal(aborted, true);
      assert.equal(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM'), 0);
    });
  }

  it('removes its handlers when the run throws too', async () => {
    const proc = new EventEmitter();
    await assert.rejects(withCancelSignal(async () => Promise.reject(new Error('boom')), proc), /boom/);
    assert.equal(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM'), 0);
  });

  it('no command installs signal handlers of its own', () => {
    const dir = join(root, 'src', 'cli', 'commands');
    const own = readdirSync(dir).filter((f) => /process\.(once|on)\('SIG/.test(readFileSync(join(dir, f), 'utf8')));
    assert.deepEqual(own, []);
  });
});
