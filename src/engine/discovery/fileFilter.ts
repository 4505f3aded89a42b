import ignore from 'ignore';
import picomatch from 'picomatch';
import { STORE_DIR } from '../runs/paths';

/** Folders never indexed: dependencies, our run store, build output. */
export const DEFAULT_SKIPPED_FOLDERS: readonly string[] = ['node_modules', STORE_DIR, 'out', 'dist', '.git'];

const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/i;
const DECLARATION_FILE = /\.d\.(ts|mts|cts)$/i;

/** `files.exclude`-style globs: a list, or VS Code's `{ glob: true|false }` object. */
export type ExcludeGlobs = readonly string[] | Readonly<Record<string, boolean>>;

export interface GitignoreMatcher {
  ignores(relPath: string): boolean;
}

/** A matcher for .gitignore text(s), workspace-root relative (the `ignore` package's semantics). */
export function createGitignoreMatcher(...gitignoreTexts: string[]): GitignoreMatcher {
  const ig = ignore();
  for (const t of gitignoreTexts) ig.add(t);
  return ig;
}

const compiled = new Map<string, (p: string) => boolean>();

function excludeMatcher(globs: ExcludeGlobs): (p: string) => boolean {
  const list = Array.isArray(globs) ? [...(globs as readonly string[])] : Object.keys(globs).filter((g) => (globs as Record<string, boolean>)[g]);
  const key = JSON.stringify(list);
  let m = compiled.get(key);
  if (!m) {
    m = list.length === 0 ? () => false : picomatch(list, { dot: true });
    if (compiled.size > 64) compiled.clear();
    compiled.set(key, m);
  }
  return m;
}

function normalize(relPath: string): string {
  return relPath.replace(/\\/g, '/').replace(/^\.\/+/, '').replace(/^\/+/, '');
}

/**
 * Whether a workspace-relative file should be detected: a JS/TS source (not a
 * .d.ts), outside the default-skipped folders, matched by no exclude glob
 * (a glob matching a parent folder excludes the file, as in VS Code), and
 * not ignored by .gitignore.
 */
export function shouldIndex(relPath: string, excludeGlobs: ExcludeGlobs = [], gitignore?: GitignoreMatcher): boolean {
  const rel = normalize(relPath);
  if (!rel || rel.startsWith('../') || !SOURCE_FILE.test(rel) || DECLARATION_FILE.test(rel)) return false;
  const parts = rel.split('/');
  if (parts.slice(0, -1).some((seg) => DEFAULT_SKIPPED_FOLDERS.includes(seg))) return false;
  const excluded = excludeMatcher(excludeGlobs);
  for (let i = 1; i <= parts.length; i++) {
    if (excluded(parts.slice(0, i).join('/'))) return false;
  }
  return !(gitignore?.ignores(rel) ?? false);
}
