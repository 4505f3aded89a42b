export { detectFile, syntaxDiagnostics } from './detectFile';
export { WorkspaceIndex, mayMatter } from './workspaceIndex';
export type { FileState, UpdateResult, IndexedProgram, IndexedTask, ResolvedPredictor } from './workspaceIndex';
export { shouldIndex, createGitignoreMatcher, DEFAULT_SKIPPED_FOLDERS } from './fileFilter';
export type { ExcludeGlobs, GitignoreMatcher } from './fileFilter';
export { instructionTextEdit, quoteString } from './instructionEdit';
export type { TextEdit } from './instructionEdit';
export { resolveSpecifier } from './resolve';
export type * from './types';
