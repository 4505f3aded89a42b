import { startLocalProcess } from '../../../src/engine/backends/localProcess';
import { LOCAL_TEST_MODEL } from '../../fixtures/localModel';
import { interopSuite } from './suite';

// The real pretrained model (SmolLM2-135M-Instruct GGUF) as users start it:
// `mmgrpo serve --backend local --model smollm2` in a child process.
interopSuite('local GGUF model (mmgrpo serve --backend local)', async () => {
  const proc = await startLocalProcess({ model: LOCAL_TEST_MODEL });
  return { baseUrl: proc.baseUrl, token: proc.token, close: () => proc.stop() };
});
