import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { validateModelConfig, type ModelConfig } from './config';
import { paramSpecs, type ParamMap } from './model';
import { ByteTokenizer } from './tokenizer';

const WEIGHTS_FORMAT = 'mmgrpo-tiny-weights/1';

interface ManifestEntry {
  name: string;
  shape: number[];
  /** Byte offset into weights.bin. */
  offset: number;
}

interface Manifest {
  format: string;
  dtype: 'float32';
  byteOrder: 'little';
  tensors: ManifestEntry[];
}

let tmpCounter = 0;

/**
 * Writes config.json, tokenizer.json, weights.bin (+ weights.json manifest)
 * into a sibling temp dir, then swaps it in with renames, so a reader never
 * sees a half-written checkpoint (a crash mid-save leaves the old one intact).
 */
export async function saveCheckpoint(dir: string, config: ModelConfig, tokenizer: ByteTokenizer, params: ParamMap): Promise<void> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  // Weights are code-like: no other local user may replace them.
  await fs.mkdir(parent, { recursive: true, mode: 0o750 });
  const stamp = `${process.pid}-${Date.now()}-${tmpCounter++}`;
  const tmp = path.join(parent, `.${path.basename(target)}.tmp-${stamp}`);
  await fs.mkdir(tmp, { mode: 0o750 });
  try {
    const { manifest, bytes } = packWeights(params, config);
    await fs.writeFile(path.join(tmp, 'weights.bin'), bytes, { mode: 0o640 });
    await fs.writeFile(path.join(tmp, 'weights.json'), JSON.stringify(manifest, null, 1), { mode: 0o640 });
    await fs.writeFile(path.join(tmp, 'tokenizer.json'), JSON.stringify(tokenizer.toJSON(), null, 2), { mode: 0o640 });
    await fs.writeFile(path.join(tmp, 'config.json'), JSON.stringify(config, null, 2), { mode: 0o640 });
    // rename() cannot replace a non-empty directory, hence the two-step swap.
    const old = path.join(parent, `.${path.basename(target)}.old-${stamp}`);
    const existed = await exists(target);
    if (existed) await fs.rename(target, old);
    await fs.rename(tmp, target);
    if (existed) await fs.rm(old, { recursive: true, force: true });
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw new Error(`Could not save checkpoint to ${target}: ${(e as Error).message}`);
  }
}

function packWeights(params: ParamMap, config: ModelConfig): { manifest: Manifest; bytes: Buffer } {
  const tensors: ManifestEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const spec of paramSpecs(config)) {
    const t = params.get(spec.name);
    if (!t) throw new Error(`parameter ${spec.name} missing`);
    const data = t.dataSync() as Float32Array;
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    tensors.push({ name: spec.name, shape: t.shape, offset });
    chunks.push(Buffer.from(buf));
    offset += buf.byteLength;
  }
  return { manifest: { format: WEIGHTS_FORMAT, dtype: 'float32', byteOrder: 'little', tensors }, bytes: Buffer.concat(chunks) };
}

export interface LoadedCheckpoint {
  config: ModelConfig;
  tokenizer: ByteTokenizer;
  /** Plain tensors by parameter name (the caller wraps them in variables). */
  weights: Map<string, tf.Tensor>;
}

export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const where = path.resolve(dir);
  const read = async (f: string) => {
    try {
      return await fs.readFile(path.join(where, f));
    } catch {
      throw new Error(`Checkpoint ${where} is missing ${f}; expected config.json, tokenizer.json, weights.json and weights.bin (saved by saveCheckpoint).`);
    }
  };
  const config = JSON.parse((await read('config.json')).toString('utf8')) as ModelConfig;
  validateModelConfig(config);
  const tokenizer = ByteTokenizer.fromJSON(JSON.parse((await read('tokenizer.json')).toString('utf8')));
  const manifest = JSON.parse((await read('weights.json')).toString('utf8')) as Manifest;
  if (manifest.format !== WEIGHTS_FORMAT) throw new Error(`Checkpoint ${where}: weights format "${manifest.format}" is not ${WEIGHTS_FORMAT}.`);
  const bin = await read('weights.bin');
  const entries = new Map(manifest.tensors.map((e) => [e.name, e]));
  const weights = new Map<string, tf.Tensor>();
  for (const spec of paramSpecs(config)) {
    const e = entries.get(spec.name);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (!e || e.shape.join(',') !== spec.shape.join(',') || e.offset + size * 4 > bin.byteLength) {
      tf.dispose([...weights.values()]);
      throw new Error(`Checkpoint ${where}: tensor "${spec.name}" is missing or has the wrong shape/size (expected [${spec.shape}]).`);
    }
    const data = new Float32Array(bin.buffer.slice(bin.byteOffset + e.offset, bin.byteOffset + e.offset + size * 4));
    weights.set(spec.name, tf.tensor(data, spec.shape));
  }
  return { config, tokenizer, weights };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}
