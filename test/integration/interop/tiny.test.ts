import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmbeddedServer } from '../../../src/embedded/server/server';
import { interopSuite } from './suite';

// The real tiny model, in its worker thread as `mmgrpo serve` runs it, sized for a
// fast test: the suite checks the protocol, not what the (untrained) model says.
interopSuite('tiny model in a worker', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmgrpo-interop-'));
  const server = await startEmbeddedServer({
    backend: {
      worker: {
        factoryModule: path.resolve(__dirname, '../../../src/embedded/tinyBackend.ts'),
        factoryExport: 'createServedBackend',
        options: { seed: 5, config: { contextLength: 192, maxPromptTokens: 64, nLayer: 2, nHead: 2, dModel: 32, mlpRatio: 2 } },
      },
    },
    checkpointRoot: dir,
  });
  return {
    baseUrl: server.baseUrl,
    token: server.token,
    close: async () => {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
