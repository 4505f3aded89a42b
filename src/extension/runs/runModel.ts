import { join } from 'node:path';
import { runsRoot } from '../../engine/runs';
import { RunCache, type RunRecord } from './runData';

// All runs of all workspace folders, reloaded on demand. Holds no `vscode`
// types so it can be driven by tests; the host adds the watcher.

export class RunModel {
  private runs: RunRecord[] = [];
  private readonly byDir = new Map<string, RunRecord>();
  private readonly cache: RunCache;
  private readonly listeners = new Set<() => void>();
  private loading: Promise<void> | undefined;
  private again = false;

  constructor(isAlive: (pid: number) => boolean, private readonly folders: () => string[]) {
    this.cache = new RunCache(isAlive);
  }

  all(): readonly RunRecord[] {
    return this.runs;
  }

  get(dir: string): RunRecord | undefined {
    return this.byDir.get(dir);
  }

  findById(id: string): RunRecord | undefined {
    return this.runs.find((r) => r.id === id);
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Reloads; concurrent calls coalesce into one extra reload so no change is missed. */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        await this.load();
      } while (this.again);
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const lists = await Promise.all(this.folders().map((f) => this.cache.list(runsRoot(f))));
    this.runs = lists.flat().sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt));
    this.byDir.clear();
    for (const r of this.runs) this.byDir.set(r.dir, r);
    for (const l of this.listeners) l();
  }
}

export const runDirOf = (folder: string, id: string): string => join(runsRoot(folder), id);
