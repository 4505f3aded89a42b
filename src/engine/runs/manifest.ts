import { execFileSync } from 'node:child_process';
import { EVENT_SCHEMA_VERSION, type ProgramStateJson, type RunKind, type RunManifest } from '../../protocol/events';
import { ENGINE_VERSION } from '../version';

/** The workspace's git commit, `+dirty` when the tree has changes; undefined outside a repository. */
export function gitCommitOf(dir: string): string | undefined {
  try {
    const opts: { cwd: string; stdio: ('ignore' | 'pipe')[]; timeout: number } = { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 };
    const head = execFileSync('git', ['rev-parse', 'HEAD'], opts).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], opts).toString().trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return undefined;
  }
}

export interface ManifestInput {
  id: string;
  kind: RunKind;
  taskName: string;
  taskFile: string;
  seed: number;
  config: Record<string, unknown>;
  programStateBefore: ProgramStateJson;
  workspace: string;
}

export function buildManifest(input: ManifestInput): RunManifest {
  const { workspace, ...rest } = input;
  return {
    schemaVersion: EVENT_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    engineVersion: ENGINE_VERSION,
    nodeVersion: process.version,
    gitCommit: gitCommitOf(workspace),
    ...rest,
  };
}
