import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ModelEntry } from './catalogue';

/** Written last in a model's folder: a folder without it (or with a stale one) is not a complete model. */
export const MARKER_FILE = 'model.json';

export interface ModelMarker {
  name: string;
  file: string;
  sha256: string;
  size: number;
  license: string;
  packages: { project: string; version: string; sha256: string }[];
  pulledAt: string;
}

/** `$MMGRPO_MODELS_DIR`, else a cache folder outside any repository (models are large and not ours to commit). */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MMGRPO_MODELS_DIR;
  return fromEnv ? resolve(fromEnv) : join(homedir(), '.cache', 'mmgrpo-studio', 'models');
}

export function modelFolder(root: string, entry: ModelEntry): string {
  return join(root, entry.name);
}

export function readMarker(folder: string): ModelMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(folder, MARKER_FILE), 'utf8')) as ModelMarker;
    return typeof m.sha256 === 'string' && typeof m.size === 'number' && typeof m.file === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The model's .gguf path when a complete pull of this catalogue version is in
 * place: marker present, for the pinned sha256, and the file of the pinned size.
 * Cheap (no hashing), so listing and resolving stay instant.
 */
export function completeModelPath(root: string, entry: ModelEntry): string | undefined {
  const folder = modelFolder(root, entry);
  const marker = readMarker(folder);
  if (!marker || marker.sha256 !== entry.sha256 || marker.size !== entry.size || marker.file !== entry.fileName) return undefined;
  const path = join(folder, entry.fileName);
  return fileSize(path) === entry.size ? path : undefined;
}

export function fileSize(path: string): number | undefined {
  try {
    const s = statSync(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/** Streams the file through sha256 (models are hundreds of MB: never read whole). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
