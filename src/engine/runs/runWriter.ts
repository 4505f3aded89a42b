import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  EVENT_SCHEMA_VERSION,
  type RunEvent,
  type RunEventInput,
  type RunManifest,
} from '../../protocol/events';
import { writeFileAtomic } from './atomicWrite';
import { redactSecrets } from './secrets';
import { EVENTS_FILE, LOCK_FILE, MANIFEST_FILE, RunStoreError, STORE_DIR, describeFsError } from './paths';
import { readEvents } from './runReader';

type Listener = (event: RunEvent) => void;

/**
 * Appends events to one run folder. Holds the folder's lock for its lifetime so
 * a second writer (another process on the same run) is refused, not interleaved.
 */
export class RunWriter {
  private fd: number;
  private seq: number;
  private listeners: Listener[] = [];
  private closed = false;

  private constructor(readonly dir: string, readonly manifest: RunManifest, nextSeq: number) {
    this.seq = nextSeq;
    this.fd = guard(dir, () => openSync(join(dir, EVENTS_FILE), 'a', 0o640));
  }

  /** Creates `dir` (which must not exist yet) with its manifest. */
  static create(dir: string, manifest: RunManifest): RunWriter {
    if (existsSync(join(dir, MANIFEST_FILE))) {
      throw new RunStoreError(`${dir} already holds a run; resume it (mmgrpo train --resume) or start a new one.`);
    }
    guard(dir, () => mkdirSync(dir, { recursive: true, mode: 0o750 }));
    ignoreStoreInGit(dir);
    acquireLock(dir);
    const clean = { ...manifest, config: redactSecrets(manifest.config) };
    guard(dir, () => writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(clean, null, 2) + '\n', 0o640));
    return new RunWriter(dir, clean, 0);
  }

  /** Reopens an existing run to append more events (resume). */
  static reopen(dir: string): RunWriter {
    if (!existsSync(join(dir, MANIFEST_FILE))) {
      throw new RunStoreError(`${dir} is not a run folder (no ${MANIFEST_FILE}).`);
    }
    acquireLock(dir);
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as RunManifest;
    const { events, endsWithNewline } = readEvents(dir);
    const writer = new RunWriter(dir, manifest, events.length ? events[events.length - 1].seq + 1 : 0);
    // A torn last line would glue itself to the next event: end it first.
    if (!endsWithNewline) guard(dir, () => writeSync(writer.fd, '\n'));
    return writer;
  }

  /** Reopens an interrupted run and returns the events it already holds (read before the lock is taken over). */
  static resume(dir: string): { writer: RunWriter; runId: string; events: RunEvent[] } {
    const { events } = readEvents(dir);
    const writer = RunWriter.reopen(dir);
    return { writer, runId: writer.manifest.id, events };
  }

  onEvent(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Stamps version, sequence number and time, appends, then notifies listeners. */
  append(input: RunEventInput): RunEvent {
    if (this.closed) throw new RunStoreError(`Run ${this.dir} is closed; no more events can be written.`);
    const event = { v: EVENT_SCHEMA_VERSION, seq: this.seq, ts: new Date().toISOString(), ...input } as RunEvent;
    const line = JSON.stringify(event) + '\n';
    guard(this.dir, () => writeSync(this.fd, line));
    this.seq++;
    for (const l of this.listeners) l(event);
    return event;
  }

  /** Writes an artifact file (atomically) inside the run folder. */
  writeArtifact(name: string, content: string): string {
    if (name.includes('..') || name.startsWith('/')) throw new RunStoreError(`Invalid artifact name "${name}".`);
    const path = join(this.dir, name);
    guard(this.dir, () => writeFileAtomic(path, content, 0o640));
    return path;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    try {
      unlinkSync(join(this.dir, LOCK_FILE));
    } catch {
      /* already gone: nothing to release */
    }
  }
}

/**
 * Keeps the store out of git on first use: a demo run leaves about 20 MB of
 * events, checkpoints and models there. Only for the default layout
 * (`.mmgrpo/runs/<id>`); a --runs-dir elsewhere is the user's to manage, and a
 * .gitignore the user edited is left alone.
 */
function ignoreStoreInGit(runDir: string): void {
  const store = dirname(dirname(runDir));
  if (basename(store) !== STORE_DIR) return;
  const file = join(store, '.gitignore');
  if (existsSync(file)) return;
  guard(store, () => writeFileAtomic(file, '# Written by MMGRPO: runs, checkpoints and models stay out of git.\n*\n', 0o640));
}

function guard<T>(dir: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new RunStoreError(describeFsError(dir, err));
  }
}

function acquireLock(dir: string): void {
  const lock = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o640);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new RunStoreError(describeFsError(dir, err));
      const holder = Number(readFileSync(lock, 'utf8'));
      if (isAlive(holder)) {
        throw new RunStoreError(
          `Run folder ${dir} is in use by process ${holder}. Wait for that run to finish or cancel it first.`,
        );
      }
      unlinkSync(lock); // left by a crashed process: safe to take over
    }
  }
  throw new RunStoreError(`Could not lock run folder ${dir}.`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export { isAlive as isProcessAlive };
