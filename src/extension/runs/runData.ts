import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProgramStateJson, RunManifest } from '../../protocol/events';
import { assembleRun, EVENTS_FILE, MANIFEST_FILE, parseEvents, type RunRead } from '../../engine/runs';

// Async run-store reading for the extension host (the engine's readRun is
// synchronous, fine for the CLI but not for an editor with big runs).

export interface RunRecord extends RunRead {
  /** The final program state from result.json, when the run wrote one. */
  resultState?: ProgramStateJson;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

export async function readRunAsync(dir: string, isAlive: (pid: number) => boolean): Promise<RunRecord> {
  const manifestText = await readOptional(join(dir, MANIFEST_FILE));
  if (manifestText === undefined) throw new Error(`${dir} is not a run folder: ${MANIFEST_FILE} is missing.`);
  const manifest = JSON.parse(manifestText) as RunManifest;
  const { events, tornTail } = parseEvents((await readOptional(join(dir, EVENTS_FILE))) ?? '');
  const result = await readOptional(join(dir, 'result.json'));
  let resultState: ProgramStateJson | undefined;
  try {
    resultState = result ? ((JSON.parse(result) as { programState?: ProgramStateJson }).programState ?? undefined) : undefined;
  } catch {
    resultState = undefined; // a half-written result: the run view still works without it
  }
  return { ...assembleRun(dir, manifest, events, tornTail, isAlive), resultState };
}

/**
 * Runs of one run store, cached by the events file's size and mtime so a
 * refresh rereads only runs that changed.
 */
export class RunCache {
  private readonly cache = new Map<string, { sig: string; run: RunRecord }>();

  constructor(private readonly isAlive: (pid: number) => boolean) {}

  /** All readable runs under `root`, newest first. */
  async list(root: string): Promise<RunRecord[]> {
    let names: string[];
    try {
      names = await readdir(root);
    } catch {
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
    if (hit && hit.sig === sig && hit.run.status !== 'running') return hit.run;
    try {
      const run = await readRunAsync(dir, this.isAlive);
      this.cache.set(dir, { sig, run });
      return run;
    } catch {
      return undefined; // not a run folder, or a manifest being written
    }
  }
}

async function signature(dir: string): Promise<string | undefined> {
  try {
    const m = await stat(join(dir, MANIFEST_FILE));
    const parts = [m.mtimeMs];
    for (const f of [EVENTS_FILE, 'result.json', 'run.lock']) {
      const s = await stat(join(dir, f)).catch(() => undefined);
      parts.push(s ? s.size * 1e13 + s.mtimeMs : -1);
    }
    return parts.join(':');
  } catch {
    return undefined;
  }
}
