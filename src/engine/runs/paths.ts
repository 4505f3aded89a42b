import { join } from 'node:path';
import { MmgrpoError } from '../../protocol/errors';

export const MANIFEST_FILE = 'run.json';
export const EVENTS_FILE = 'events.jsonl';
export const LOCK_FILE = 'run.lock';

/** The workspace folder MMGRPO writes to: runs, response cache, trained models. */
export const STORE_DIR = '.mmgrpo';

/** `<workspace>/.mmgrpo/<parts...>`. */
export function storePath(workspace: string, ...parts: string[]): string {
  return join(workspace, STORE_DIR, ...parts);
}

/** The run store's folder inside a workspace. */
export function runsRoot(workspace: string): string {
  return storePath(workspace, 'runs');
}

export class RunStoreError extends MmgrpoError {
  constructor(message: string) {
    super(message);
    this.name = 'RunStoreError';
  }
}

const FS_HINTS: Record<string, string> = {
  EACCES: 'permission denied; make the folder writable or choose another with --runs-dir',
  EPERM: 'operation not permitted; make the folder writable or choose another with --runs-dir',
  EROFS: 'the file system is read-only; choose another folder with --runs-dir',
  ENOSPC: 'the disk is full; free some space (finished runs can be deleted) and resume the run',
  EDQUOT: 'the disk quota is exhausted; free some space and resume the run',
  ENOTDIR: 'a file stands where a folder is expected; move it away',
};

/** One-line explanation of a file-system error in the run store, with what to do. */
export function describeFsError(dir: string, err: unknown): string {
  if (err instanceof RunStoreError) return err.message;
  const e = err as NodeJS.ErrnoException;
  const hint = (e.code && FS_HINTS[e.code]) || e.message;
  return `Cannot write the run folder ${dir}: ${e.code ?? 'error'} (${hint}).`;
}

/** A sortable, readable, collision-resistant run id: `20261130-101502-banking77-3fa9`. */
export function newRunId(taskName: string, now = new Date(), rand: () => number = Math.random): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  const slug = taskName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 32) || 'task';
  const suffix = Math.floor(rand() * 0x10000).toString(16).padStart(4, '0');
  return `${stamp}-${slug}-${suffix}`;
}
