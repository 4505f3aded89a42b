import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { reportError } from '../../../src/cli/errors';
import { importLlama } from '../../../src/embedded/local/llamaRuntime';
import { mainInProcess, messageOf, root } from './badInputHelpers';

// Rows B53-B56 of docs/bad-input.md: the local (GGUF) backend.
const task = join(root, 'examples', 'banking77', 'task.ts');
const INFERENCE_ONLY =
  'the local backend serves a real pretrained model for inference only, so it cannot train weights (w stages, --warm-start-epochs, --init-from). Optimize prompts on it with --strategy p, or train weights with --backend embedded (the tiny CPU model) or --backend remote (an Arbor trainer).';

describe('bad input catalogue: local backend (docs/bad-input.md B53-B56)', function () {
  this.timeout(30_000);

  it('B53 training weights on the local backend (train, or a w stage of optimize): exit 2 before anything starts', async () => {
    const train = await mainInProcess(['train', task, '--backend', 'local']);
    assert.equal(train.code, 2);
    assert.equal(train.stderr, `mmgrpo train: ${INFERENCE_ONLY}\n`);
    const optimize = await mainInProcess(['optimize', task, '--backend', 'local', '--strategy', 'p -> w']);
    assert.equal(optimize.code, 2);
    assert.equal(optimize.stderr, `mmgrpo optimize: ${INFERENCE_ONLY}\n`);
    const warm = await mainInProcess(['optimize', task, '--backend', 'local', '--strategy', 'p', '--warm-start-epochs', '1']);
    assert.equal(warm.code, 2);
    assert.equal(warm.stderr, `mmgrpo optimize: ${INFERENCE_ONLY}\n`);
  });

  it('B54 serve --backend local with embedded-only flags or a --model without --backend local: exit 2', async () => {
    const r = await mainInProcess(['serve', '--backend', 'local', '--init-from', '/tmp']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'mmgrpo serve: --init-from loads trained embedded weights; the local backend serves its GGUF model as it is.\n');
    const m = await mainInProcess(['serve', '--model', 'smollm2']);
    assert.equal(m.code, 2);
    assert.equal(m.stderr, "mmgrpo serve: --model picks the local backend's model; add --backend local (the embedded model is chosen with --init-from).\n");
    const k = await mainInProcess(['serve', '--backend', 'gpu']);
    assert.equal(k.stderr, 'mmgrpo serve: --backend must be embedded or local, got "gpu" (a remote backend is a server you already run).\n');
  });

  it('B55 node-llama-cpp not installed (it is an optional dependency): says what to install or use instead', async () => {
    const err = await importLlama('node-llama-cpp-not-installed').then(() => undefined, (e: unknown) => e);
    // A known failure (exit 1, message and hint), not an "unexpected error" asking for a bug report.
    const { text, code } = reportError(err);
    assert.equal(code, 1);
    assert.match(
      text,
      /^mmgrpo: The local backend needs the npm package node-llama-cpp \(an optional dependency of mmgrpo\), which could not be loaded: .*node-llama-cpp-not-installed.*\.\n  hint: Install it with `npm install --save-exact node-llama-cpp@3\.21\.1`, or use --backend embedded or remote\.\n$/s,
    );
  });
});
