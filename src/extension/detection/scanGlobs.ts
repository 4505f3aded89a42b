import { DEFAULT_SKIPPED_FOLDERS, type ExcludeGlobs } from '../../engine/discovery';
import { SDK_SPECIFIER } from '../../engine/discovery/bindings';

// Globs for the initial workspace scan (vscode-free so they are testable).

export const SOURCE_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';

/** Languages whose files may hold programs or tasks (code lens selector, activation). */
export const SOURCE_LANGUAGES = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'] as const;

/**
 * Exclude glob for findFiles. Passing one switches off VS Code's own
 * files.exclude handling, so its enabled globs are folded in here (those
 * with braces cannot nest inside ours; shouldIndex still filters them out).
 */
export function scanExcludeGlob(filesExclude: ExcludeGlobs): string {
  const list = Array.isArray(filesExclude) ? [...(filesExclude as readonly string[])] : Object.keys(filesExclude).filter((g) => (filesExclude as Record<string, boolean>)[g] === true);
  const globs = [...DEFAULT_SKIPPED_FOLDERS.map((f) => `**/${f}/**`), ...list.filter((g) => !/[{}]/.test(g))];
  return `{${globs.join(',')}}`;
}

const SDK_IMPORT = new RegExp(`(from|import|require\\()\\s*['"]${SDK_SPECIFIER}['"]`);

/** Whether a source text imports the SDK: the sign that this workspace is worth a scan. */
export function importsSdk(text: string): boolean {
  return SDK_IMPORT.test(text);
}

export function isSourcePath(p: string): boolean {
  return /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/i.test(p) && !/\.d\.(ts|mts|cts)$/i.test(p);
}
