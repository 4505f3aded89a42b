import * as path from 'node:path';

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
// ESM-style TypeScript imports name the emitted file: './program.js' means './program.ts'.
const EMITTED_TO_SOURCE: Record<string, string[]> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

export function isRelativeSpecifier(spec: string): boolean {
  return spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../');
}

/**
 * Resolves a relative import against the set of indexed files, the way Node
 * and TypeScript would for the common cases (extension omitted, `.js` naming a
 * `.ts` file, folder index). Package imports and tsconfig `paths` are not
 * followed: programs inside packages are not part of the workspace.
 */
export function resolveSpecifier(fromFile: string, spec: string, has: (file: string) => boolean): string | undefined {
  if (!isRelativeSpecifier(spec)) return undefined;
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = [base, ...SOURCE_EXTENSIONS.map((e) => base + e)];
  const ext = path.extname(base);
  for (const src of EMITTED_TO_SOURCE[ext] ?? []) candidates.push(base.slice(0, -ext.length) + src);
  candidates.push(...SOURCE_EXTENSIONS.map((e) => path.join(base, `index${e}`)));
  return candidates.find(has);
}
