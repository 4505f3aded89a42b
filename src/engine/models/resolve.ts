import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { CATALOGUE, downloadSize, type ModelEntry } from './catalogue';
import { fileNotFound, folderGiven, notGguf, notPulled, unknownModel } from './errors';
import { completeModelPath, defaultModelsDir, fileSize, modelFolder } from './store';

export interface StoreOptions {
  modelsDir?: string;
  catalogue?: readonly ModelEntry[];
}

export interface ModelListing {
  name: string;
  /** `catalogue`: a known model (pulled or not); `file`: a .gguf the user put in the models folder. */
  kind: 'catalogue' | 'file';
  pulled: boolean;
  /** Where the model is, or will be once pulled. */
  path: string;
  size: number;
  title?: string;
  license?: string;
  downloadSize?: number;
}

const GGUF_MAGIC = Buffer.from('GGUF', 'ascii');

/**
 * A model spec as a user writes it: a catalogue name (it must be pulled) or a
 * path to a .gguf file (it must exist and be one). Returns the absolute file path.
 */
export function resolveModelFile(spec: string, opts: StoreOptions = {}): string {
  const catalogue = opts.catalogue ?? CATALOGUE;
  const entry = catalogue.find((e) => e.name === spec);
  if (entry) {
    const root = opts.modelsDir ?? defaultModelsDir();
    const path = completeModelPath(root, entry);
    if (!path) throw notPulled(entry, modelFolder(root, entry));
    return path;
  }
  const path = resolve(spec);
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // A bare word is more likely a mistyped model name than a missing file.
    throw looksLikePath(spec) ? fileNotFound(spec, catalogue) : unknownModel(spec, catalogue);
  }
  if (!isFile) throw folderGiven(spec);
  const head = readHead(path, GGUF_MAGIC.length);
  if (!head.equals(GGUF_MAGIC)) throw notGguf(spec, head);
  return path;
}

function looksLikePath(spec: string): boolean {
  return spec.includes('/') || spec.includes(sep) || extname(spec) !== '';
}

function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** Known models (pulled or not) and any .gguf files the user dropped in the models folder. */
export function listModels(opts: StoreOptions = {}): ModelListing[] {
  const catalogue = opts.catalogue ?? CATALOGUE;
  const root = opts.modelsDir ?? defaultModelsDir();
  const known = catalogue.map((e): ModelListing => {
    const path = completeModelPath(root, e);
    return { name: e.name, kind: 'catalogue', pulled: Boolean(path), path: path ?? join(modelFolder(root, e), e.fileName), size: e.size, title: e.title, license: e.license, downloadSize: downloadSize(e) };
  });
  return [...known, ...droppedFiles(root, new Set(catalogue.map((e) => e.name)))];
}

/** *.gguf at the top of the models folder, or one level down in folders that are not catalogue models. */
function droppedFiles(root: string, catalogueNames: Set<string>): ModelListing[] {
  const out: ModelListing[] = [];
  for (const name of safeReaddir(root)) {
    if (name.startsWith('.') || catalogueNames.has(name)) continue; // .pull-* temp folders, pulled models
    const path = join(root, name);
    const names = name.endsWith('.gguf') ? [path] : safeReaddir(path).filter((n) => n.endsWith('.gguf')).map((n) => join(path, n));
    for (const p of names) {
      const size = fileSize(p);
      if (size !== undefined) out.push({ name: p.slice(root.length + 1), kind: 'file', pulled: true, path: p, size });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function safeReaddir(dir: string): string[] {
  try {
    return statSync(dir).isDirectory() ? readdirSync(dir) : [];
  } catch {
    return [];
  }
}
