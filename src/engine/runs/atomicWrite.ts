import { closeSync, fsyncSync, openSync, renameSync, writeSync, unlinkSync } from 'node:fs';

/** Writes a whole file so that readers see either the old or the new content, never a torn one. */
export function writeFileAtomic(path: string, content: string, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* the original error matters more */ }
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
