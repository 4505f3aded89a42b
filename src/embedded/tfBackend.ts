import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const WASM_FILE = 'tfjs-backend-wasm-simd.wasm';

/**
 * The one place that decides where the tfjs .wasm binaries live. Order:
 * explicit argument, MMGRPO_TFJS_WASM_DIR, a copy next to the running file
 * (an esbuild bundle ships the binaries beside itself because node_modules is
 * not packaged), then the installed package resolved through require.
 */
export function resolveWasmDir(explicitDir?: string): string {
  const candidates: string[] = [];
  if (explicitDir) candidates.push(explicitDir);
  if (process.env.MMGRPO_TFJS_WASM_DIR) candidates.push(process.env.MMGRPO_TFJS_WASM_DIR);
  candidates.push(__dirname, path.join(__dirname, 'wasm'));
  try {
    candidates.push(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // not installed next to us: only the other candidates can work
  }
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, WASM_FILE))) return dir.endsWith(path.sep) ? dir : dir + path.sep;
  }
  throw new Error(
    `tfjs WASM binary ${WASM_FILE} not found (looked in: ${candidates.join(', ')}). ` +
      'Run `npm install` or set MMGRPO_TFJS_WASM_DIR to the folder holding the .wasm files.',
  );
}

let ready: Promise<void> | undefined;

/** Initialise the WASM backend once per process (single-threaded: the worker script is not shipped). */
export function initTfBackend(explicitDir?: string): Promise<void> {
  if (!ready) {
    ready = (async () => {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      setWasmPaths(resolveWasmDir(explicitDir));
      const ok = await tf.setBackend('wasm');
      if (!ok) throw new Error('tfjs could not start its WASM backend; check that the .wasm files match @tensorflow/tfjs-backend-wasm\'s version.');
      await tf.ready();
    })();
    ready.catch(() => (ready = undefined));
  }
  return ready;
}
