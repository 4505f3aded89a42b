import * as path from 'node:path';
import { detectFile } from './detectFile';
import { WorkspaceLinker } from './linker';
import type { FileDetection, PredictorDetection, ProgramDetection, SyntaxDiagnostic, TaskDetection } from './types';

export interface FileState {
  path: string;
  /** The last detection of a text without syntax errors (empty if there never was one). */
  detection: FileDetection;
  /** True when the current text has syntax errors and `detection` describes an older text. */
  stale: boolean;
  /** Syntax errors of the current text. */
  diagnostics: SyntaxDiagnostic[];
  /** False when the pre-filter ruled the file out without parsing it. */
  parsed: boolean;
}

export interface UpdateResult {
  state: FileState;
  /** False when the file's detection, stale flag and diagnostics are all as before. */
  changed: boolean;
}

export interface IndexedProgram extends ProgramDetection {
  file: string;
  stale: boolean;
}

export interface IndexedTask extends TaskDetection {
  file: string;
  stale: boolean;
  /** The program class the task instantiates, when it is found in the workspace. */
  programRef?: { file: string; name: string };
}

export type ResolvedPredictor = PredictorDetection & { file: string };

const emptyDetection = (file: string): FileDetection => ({
  path: file,
  programs: [],
  candidates: [],
  tasks: [],
  reExports: [],
  diagnostics: [],
});

/**
 * Cheap pre-filter: a file can define a program or task only if it names the
 * `mmgrpo` module, and can forward one only if it has an export list. The
 * substring never decides a detection; the parse does.
 */
export function mayMatter(text: string): boolean {
  return text.includes('mmgrpo') || text.includes('export *') || text.includes('export {') || text.includes('export{');
}

/**
 * Detection results for a workspace, updated one file at a time. Cross-file
 * links (imported programs, sub-modules, bases, re-exports) are resolved on
 * demand over the current results, so an update costs one parse.
 */
export class WorkspaceIndex {
  private readonly files = new Map<string, FileState>();
  private linkerCache: WorkspaceLinker | undefined;

  update(file: string, text: string): UpdateResult {
    const key = path.resolve(file);
    const prev = this.files.get(key);
    const state = this.nextState(key, text, prev);
    this.files.set(key, state);
    const changed = !prev || JSON.stringify([prev.detection, prev.stale, prev.diagnostics]) !== JSON.stringify([state.detection, state.stale, state.diagnostics]);
    if (changed) this.linkerCache = undefined;
    return { state, changed };
  }

  private nextState(key: string, text: string, prev: FileState | undefined): FileState {
    if (!mayMatter(text)) return { path: key, detection: emptyDetection(key), stale: false, diagnostics: [], parsed: false };
    const det = detectFile(key, text);
    if (det.diagnostics.length === 0) return { path: key, detection: det, stale: false, diagnostics: [], parsed: true };
    // A half-typed file parses into a recovered tree that can show programs that are not there; keep the last good result.
    const lastGood = prev?.detection ?? emptyDetection(key);
    return { path: key, detection: lastGood, stale: true, diagnostics: det.diagnostics, parsed: true };
  }

  remove(file: string): boolean {
    const removed = this.files.delete(path.resolve(file));
    if (removed) this.linkerCache = undefined;
    return removed;
  }

  file(file: string): FileState | undefined {
    return this.files.get(path.resolve(file));
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  /** Files whose current text has syntax errors. */
  staleFiles(): FileState[] {
    return [...this.files.values()].filter((s) => s.stale);
  }

  programs(): IndexedProgram[] {
    return this.linker().programs().map(({ file, program }) => ({ ...program, file, stale: this.files.get(file)?.stale ?? false }));
  }

  tasks(): IndexedTask[] {
    const l = this.linker();
    const out: IndexedTask[] = [];
    for (const s of this.files.values()) {
      for (const t of s.detection.tasks) out.push({ ...t, file: s.path, stale: s.stale, programRef: l.taskProgram(s.path, t) });
    }
    return out;
  }

  /**
   * Predictors of a program with names relative to it, sub-modules and bases
   * from other files included; undefined if no such program is indexed.
   * `file` picks among programs that share a name.
   */
  predictorsOf(programName: string, file?: string): ResolvedPredictor[] | undefined {
    const l = this.linker();
    const want = file === undefined ? undefined : path.resolve(file);
    const hit = l.programs().find((p) => p.program.name === programName && (want === undefined || p.file === want));
    return hit ? l.predictors(hit.file, hit.program) : undefined;
  }

  private linker(): WorkspaceLinker {
    this.linkerCache ??= new WorkspaceLinker(new Map([...this.files].map(([k, s]) => [k, s.detection])));
    return this.linkerCache;
  }
}
