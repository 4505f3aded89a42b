import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProgramStateJson, RunEvent, RunManifest } from '../../protocol/events';
import { assembleRun, EVENTS_FILE, MANIFEST_FILE, parseEvents, type RunRead } from '../../engine/runs';
import { errorText, log, logFsError } from '../log';

// Async run-store reading for the extension host (the engine's readRun is
// synchronous, fine for the CLI but not for an editor with big runs).

export interface RunRecord extends RunRead {
  /** The final program state from result.json, when the run wrote one. */
  resultState?: ProgramStateJson;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    logFsError(`Reading ${file}`, err);
    return undefined;
  }
}

/**
 * What was parsed of a run's events.jsonl: every complete (newline-ended) line
 * up to `bytes`. A live run only appends, so the next read parses just the new
 * bytes; on a 60 MB run that is the difference between re-parsing it all on
 * every change (about a second of a blocked extension host) and a few lines.
 */
export interface EventsProgress {
  bytes: number;
  events: RunEvent[];
}

const NEWLINE = 0x0a;

async function readFrom(file: string, offset: number): Promise<Buffer | undefined> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    logFsError(`Opening ${file}`, err);
    return undefined;
  }
  try {
    const { size } = await fh.stat();
    if (size < offset) return undefined; // rewritten, not appended: start over
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Events of the file, reusing `prev` when the file only grew since. */
export async function readEventsIncremental(file: string, prev?: EventsProgress): Promise<{ progress: EventsProgress; events: RunEvent[]; tornTail: boolean }> {
  let base = prev ?? { bytes: 0, events: [] };
  let chunk = await readFrom(file, base.bytes);
  if (chunk === undefined && base.bytes > 0) {
    base = { bytes: 0, events: [] };
    chunk = await readFrom(file, 0);
  }
  if (chunk === undefined) return { progress: base, events: base.events, tornTail: false };
  // 0x0a never occurs inside a multi-byte UTF-8 sequence: cutting after it is safe.
  const cut = chunk.lastIndexOf(NEWLINE) + 1;
  const complete = parseEvents(chunk.subarray(0, cut).toString('utf8'));
  const progress = { bytes: base.bytes + cut, events: complete.events.length ? base.events.concat(complete.events) : base.events };
  // The unterminated rest: a torn line after a crash, or a whole event whose newline is not written yet.
  const rest = cut < chunk.length ? parseEvents(chunk.subarray(cut).toString('utf8')) : undefined;
  const events = rest?.events.length ? progress.events.concat(rest.events) : progress.events;
  return { progress, events, tornTail: rest?.tornTail ?? false };
}

export async function readRunAsync(dir: string, isAlive: (pid: number) => boolean, prev?: EventsProgress): Promise<RunRecord & { progress: EventsProgress }> {
  const manifestText = await readOptional(join(dir, MANIFEST_FILE));
  if (manifestText === undefined) throw new Error(`${dir} is not a run folder: ${MANIFEST_FILE} is missing.`);
  const manifest = JSON.parse(manifestText) as RunManifest;
  const { progress, events, tornTail } = await readEventsIncremental(join(dir, EVENTS_FILE), prev);
  const result = await readOptional(join(dir, 'result.json'));
  let resultState: ProgramStateJson | undefined;
  try {
    resultState = result ? ((JSON.parse(result) as { programState?: ProgramStateJson }).programState ?? undefined) : undefined;
  } catch (err) {
    // A half-written result: the run view still works without it.
    log.warn(`${join(dir, 'result.json')} is not valid JSON (${errorText(err)}); the run is shown without its final program.`);
    resultState = undefined;
  }
  return { ...assembleRun(dir, manifest, events, tornTail, isAlive), resultState, progress };
}

/**
 * Runs of one run store, cached by the events file's size and mtime so a
 * refresh rereads only runs that changed.
 */
export class RunCache {
  private readonly cache = new Map<string, { sig: RunSignature; run: RunRecord; progress: EventsProgress }>();

  constructor(private readonly isAlive: (pid: number) => boolean) {}

  /** All readable runs under `root`, newest first. */
  async list(root: string): Promise<RunRecord[]> {
    let names: string[];
    try {
      names = await readdir(root);
    } catch (err) {
      logFsError(`Listing runs in ${root}`, err);
      return [];
    }
    const runs: RunRecord[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      const dir = join(root, name);
      seen.add(dir);
      const run = await this.read(dir);
      if (run) runs.push(run);
    }
    for (const dir of this.cache.keys()) if (dir.startsWith(root) && !seen.has(dir)) this.cache.delete(dir);
    return runs.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt));
  }

  private async read(dir: string): Promise<RunRecord | undefined> {
    const sig = await signature(dir);
    if (sig === undefined) return undefined;
    const hit = this.cache.get(dir);
    // A running run's status depends on its process too; reread it every time.
    if (hit && hit.sig.manifest === sig.manifest && hit.sig.files === sig.files && hit.run.status !== 'running') return hit.run;
    try {
      // Same manifest: the events file can only have grown (readEventsIncremental checks).
      const prev = hit && hit.sig.manifest === sig.manifest ? hit.progress : undefined;
      const { progress, ...run } = await readRunAsync(dir, this.isAlive, prev);
      this.cache.set(dir, { sig, run, progress });
      return run;
    } catch (err) {
      // Not a run folder, or a manifest being written: skipped until it reads.
      log.warn(`Skipping ${dir}: ${errorText(err)}`);
      return undefined;
    }
  }
}

/** A run folder's state: the manifest's mtime apart, as an unchanged manifest lets events be read incrementally. */
interface RunSignature {
  manifest: number;
  /** Size and mtime of the events, result and lock files. */
  files: string;
}

async function signature(dir: string): Promise<RunSignature | undefined> {
  try {
    const m = await stat(join(dir, MANIFEST_FILE));
    const parts: number[] = [];
    for (const f of [EVENTS_FILE, 'result.json', 'run.lock']) {
      const s = await stat(join(dir, f)).catch((err: unknown) => logFsError(`Checking ${join(dir, f)}`, err));
      parts.push(s ? s.size * 1e13 + s.mtimeMs : -1);
    }
    return { manifest: m.mtimeMs, files: parts.join(':') };
  } catch (err) {
    logFsError(`Checking ${join(dir, MANIFEST_FILE)}`, err);
    return undefined;
  }
}
