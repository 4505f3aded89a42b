import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { validateModelConfig, type ModelConfig } from './config';
import { paramSpecs, type ParamMap } from './model';
import type { OptimizerState } from './optimizer';
import { ByteTokenizer } from './tokenizer';

const WEIGHTS_FORMAT = 'mmgrpo-tiny-weights/1';
const TRAINING_FORMAT = 'mmgrpo-tiny-training/1';

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

/** training.json: what a resumed run needs beyond the weights (tensors in training.bin). */
interface TrainingManifest {
  format: string;
  dtype: 'float32';
  byteOrder: 'little';
  /** AdamW steps taken (its bias correction depends on it). */
  optimizerStep: number;
  /** `m/<param>`, `v/<param>` (AdamW moments) and `ref/<param>` (the KL reference policy, when set). */
  tensors: ManifestEntry[];
}

/**
 * Training state saved with a checkpoint so that resuming from it continues exactly where the
 * run stopped: without the optimizer's moments, the first update after a resume differs.
 */
export interface TrainingState {
  optimizer: OptimizerState;
  /** Frozen policy of the KL term, when the job has one. */
  reference?: ParamMap;
}

let tmpCounter = 0;

/**
 * Writes config.json, tokenizer.json, weights.bin (+ weights.json manifest)
 * into a sibling temp dir, then swaps it in with renames, so a reader never
 * sees a half-written checkpoint (a crash mid-save leaves the old one intact).
 */
export async function saveCheckpoint(
  dir: string,
  config: ModelConfig,
  tokenizer: ByteTokenizer,
  params: ParamMap,
  training?: TrainingState,
): Promise<void> {
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
    if (training) {
      const packed = packTraining(training);
      await fs.writeFile(path.join(tmp, 'training.bin'), packed.bytes, { mode: 0o640 });
      await fs.writeFile(path.join(tmp, 'training.json'), JSON.stringify(packed.manifest, null, 1), { mode: 0o640 });
    }
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
  const named = paramSpecs(config).map((spec): [string, tf.Tensor] => {
    const t = params.get(spec.name);
    if (!t) throw new Error(`parameter ${spec.name} missing`);
    return [spec.name, t];
  });
  const { tensors, bytes } = packTensors(named);
  return { manifest: { format: WEIGHTS_FORMAT, dtype: 'float32', byteOrder: 'little', tensors }, bytes };
}

function packTraining(training: TrainingState): { manifest: TrainingManifest; bytes: Buffer } {
  const named: Array<[string, tf.Tensor]> = [];
  for (const [k, t] of training.optimizer.m) named.push([`m/${k}`, t]);
  for (const [k, t] of training.optimizer.v) named.push([`v/${k}`, t]);
  for (const [k, t] of training.reference ?? []) named.push([`ref/${k}`, t]);
  const { tensors, bytes } = packTensors(named);
  const manifest: TrainingManifest = { format: TRAINING_FORMAT, dtype: 'float32', byteOrder: 'little', optimizerStep: training.optimizer.step, tensors };
  return { manifest, bytes };
}

/** float32 tensors laid end to end, little-endian (the platform's order on every machine we run on). */
function packTensors(named: Array<[string, tf.Tensor]>): { tensors: ManifestEntry[]; bytes: Buffer } {
  const tensors: ManifestEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of named) {
    const data = t.dataSync() as Float32Array;
    tensors.push({ name, shape: t.shape, offset });
    chunks.push(Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
    offset += data.byteLength;
  }
  return { tensors, bytes: Buffer.concat(chunks) };
}

export interface LoadedCheckpoint {
  config: ModelConfig;
  tokenizer: ByteTokenizer;
  /** Plain tensors by parameter name (the caller wraps them in variables). */
  weights: Map<string, tf.Tensor>;
  /** When asked for and saved with the checkpoint (training.json, written by training jobs). */
  training?: TrainingState;
}

/** Reads a checkpoint; its training state only when `withTraining` (resuming the run that saved it). */
export async function loadCheckpoint(dir: string, withTraining = false): Promise<LoadedCheckpoint> {
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
  const weights = unpackTensors(bin, manifest.tensors, paramSpecs(config), (name, shape) =>
    new Error(`Checkpoint ${where}: tensor "${name}" is missing or has the wrong shape/size (expected [${shape}]).`),
  );
  let training: TrainingState | undefined;
  try {
    if (withTraining) training = await loadTraining(where, config);
  } catch (e) {
    tf.dispose([...weights.values()]);
    throw e;
  }
  return training ? { config, tokenizer, weights, training } : { config, tokenizer, weights };
}

async function loadTraining(where: string, config: ModelConfig): Promise<TrainingState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(where, 'training.json'), 'utf8');
  } catch {
    return undefined; // weights only: saved outside a training job, or by an older version
  }
  const bad = (why: string) =>
    new Error(`Checkpoint ${where}: training.json/training.bin ${why}. Delete both files to use the weights alone (a resumed run then restarts the optimizer's moments).`);
  let manifest: TrainingManifest;
  let bin: Buffer;
  try {
    manifest = JSON.parse(text) as TrainingManifest;
    bin = await fs.readFile(path.join(where, 'training.bin'));
  } catch (e) {
    throw bad(`cannot be read (${(e as Error).message})`);
  }
  if (manifest.format !== TRAINING_FORMAT || !Number.isInteger(manifest.optimizerStep) || !Array.isArray(manifest.tensors)) {
    throw bad(`are not in format ${TRAINING_FORMAT}`);
  }
  const specs = paramSpecs(config);
  const present = new Set(manifest.tensors.map((e) => e.name));
  const wanted = (prefix: string) => specs.filter((s) => present.has(`${prefix}/${s.name}`)).map((s) => ({ name: `${prefix}/${s.name}`, shape: s.shape }));
  const all = unpackTensors(bin, manifest.tensors, [...wanted('m'), ...wanted('v'), ...wanted('ref')], (name) => bad(`hold a wrong-sized "${name}"`));
  const part = (prefix: string) => new Map([...all].filter(([k]) => k.startsWith(`${prefix}/`)).map(([k, t]) => [k.slice(prefix.length + 1), t]));
  const reference = part('ref');
  return { optimizer: { step: manifest.optimizerStep, m: part('m'), v: part('v') }, ...(reference.size > 0 ? { reference } : {}) };
}

/** The tensors `specs` names, read from `bin` by `entries`; all or nothing. */
function unpackTensors(
  bin: Buffer,
  entries: ManifestEntry[],
  specs: Array<{ name: string; shape: number[] }>,
  wrong: (name: string, shape: number[]) => Error,
): Map<string, tf.Tensor> {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const out = new Map<string, tf.Tensor>();
  for (const spec of specs) {
    const e = byName.get(spec.name);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (!e || e.shape.join(',') !== spec.shape.join(',') || e.offset + size * 4 > bin.byteLength) {
      tf.dispose([...out.values()]);
      throw wrong(spec.name, spec.shape);
    }
    const data = new Float32Array(bin.buffer.slice(bin.byteOffset + e.offset, bin.byteOffset + e.offset + size * 4));
    out.set(spec.name, tf.tensor(data, spec.shape));
  }
  return out;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}
