import { availableParallelism } from 'node:os';
import type { Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import { MmgrpoError } from '../../protocol/errors';

/**
 * Loading node-llama-cpp and one GGUF model. The package is ESM-only and an
 * optional dependency (prebuilt CPU binaries; an app that only runs programs
 * does not need it), so it is imported dynamically, and its absence is a
 * clear error rather than a crash at startup of every command.
 */

export type LlamaModule = typeof import('node-llama-cpp');

export interface LoadedModel {
  lib: LlamaModule;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  /** Tokens each sequence can hold (prompt + completion). */
  sequenceContext: number;
}

export interface RuntimeOptions {
  modelPath: string;
  /** Parallel sequences decoded in shared batches (default 4). */
  sequences?: number;
  /**
   * Context tokens per sequence (default 2048, capped by the model's training context).
   * llama.cpp keeps all sequences in one KV cache of sequences x contextSize cells and
   * attends over its used part, so on a CPU a smaller cache is faster: measured on 2 cores,
   * 16 Banking77-sized calls took 15 s with 4 x 1024 cells, 21 s with 8 x 1024 and
   * 30 s or more with 8 x 4096 (more sequences only pay when decodes are long).
   */
  contextSize?: number;
  /** CPU threads (default: the machine's parallelism; more than the cores only slows llama.cpp down). */
  threads?: number;
}

// A literal import() survives both tsx and the esbuild CJS bundle as a real ESM import
// (esbuild keeps dynamic imports for node20 targets), which require() could not load.
// `specifier` exists for the bad-input test of a missing package; everything else loads the real one.
export async function importLlama(specifier = 'node-llama-cpp'): Promise<LlamaModule> {
  try {
    return (await import(specifier)) as LlamaModule;
  } catch (err) {
    throw new MmgrpoError(`The local backend needs the npm package node-llama-cpp (an optional dependency of mmgrpo), which could not be loaded: ${(err as Error).message}.`, {
      hint: 'Install it with `npm install --save-exact node-llama-cpp@3.21.1`, or use --backend embedded or remote.',
    });
  }
}

export async function loadModel(o: RuntimeOptions): Promise<LoadedModel> {
  const lib = await importLlama();
  const threads = o.threads ?? availableParallelism();
  // build 'never': only the prebuilt binaries; compiling llama.cpp needs a toolchain and network we do not assume.
  const llama = await lib.getLlama({ gpu: false, build: 'never', logLevel: lib.LlamaLogLevel.error, maxThreads: threads });
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: o.modelPath });
  } catch (err) {
    await llama.dispose().catch(() => undefined);
    throw new MmgrpoError(`Could not load the GGUF model ${o.modelPath}: ${(err as Error).message}.`, {
      hint: 'Is it a complete GGUF file? `mmgrpo models pull <name>` downloads the known ones again.',
    });
  }
  const sequenceContext = Math.min(o.contextSize ?? 2048, model.trainContextSize);
  const context = await model.createContext({ contextSize: sequenceContext, sequences: o.sequences ?? 4, threads });
  return { lib, llama, model, context, sequenceContext: context.contextSize };
}

export async function disposeModel(m: LoadedModel): Promise<void> {
  await m.context.dispose();
  await m.model.dispose();
  await m.llama.dispose();
}
