import { resolveSpecifier } from './resolve';
import type { FileDetection, ImportRef, PredictorDetection, ProgramDetection, TaskDetection } from './types';

export interface ProgramAt {
  file: string;
  program: ProgramDetection;
}

const MAX_DEPTH = 16;

/** Joins a sub-module prefix and a name relative to it, as the runtime names nested fields. */
export function joinName(prefix: string, name: string): string {
  if (!prefix) return name;
  return name.startsWith('[') ? `${prefix}${name}` : `${prefix}.${name}`;
}

/**
 * Cross-file view over per-file detections. Built lazily after each change;
 * memoizes program resolution since many tasks and sub-modules share targets.
 */
export class WorkspaceLinker {
  private readonly promoted = new Map<string, ProgramAt | null>();
  private programList: ProgramAt[] | undefined;

  constructor(private readonly files: Map<string, FileDetection>) {}

  private resolve(from: string, spec: string): string | undefined {
    return resolveSpecifier(from, spec, (f) => this.files.has(f));
  }

  /** Programs of every file, plus candidates whose base turned out to be a program. */
  programs(): ProgramAt[] {
    if (this.programList) return this.programList;
    const out: ProgramAt[] = [];
    for (const [file, det] of this.files) {
      for (const program of det.programs) out.push({ file, program });
      for (const c of det.candidates) if (this.baseProgram(file, c, 0)) out.push({ file, program: c });
    }
    this.programList = out;
    return out;
  }

  /** The program a class is named by in `file`: declared there (program or promoted candidate). */
  private local(file: string, name: string, depth: number): ProgramAt | undefined {
    const det = this.files.get(file);
    if (!det) return undefined;
    const p = det.programs.find((x) => x.name === name);
    if (p) return { file, program: p };
    const c = det.candidates.find((x) => x.name === name);
    return c && this.baseProgram(file, c, depth + 1) ? { file, program: c } : undefined;
  }

  /** For a candidate: the program in another file its `extends` chain reaches (through same-file candidates), if any. */
  private baseProgram(file: string, c: ProgramDetection, depth: number): ProgramAt | undefined {
    const key = `${file}\0${c.name}`;
    const memo = this.promoted.get(key);
    if (memo !== undefined) return memo ?? undefined;
    if (depth > MAX_DEPTH) return undefined;
    this.promoted.set(key, null);
    let found: ProgramAt | undefined;
    if (c.base.kind === 'import') found = this.imported(file, c.base.import, depth + 1);
    else if (c.base.kind === 'local') {
      const det = this.files.get(file);
      const parent = det?.candidates.find((x) => x.name === (c.base as { name: string }).name);
      found = parent ? this.baseProgram(file, parent, depth + 1) : undefined;
    }
    this.promoted.set(key, found ?? null);
    return found;
  }

  /** The program exported under `ref.importedName` by the module `ref.specifier` names, following re-exports. */
  imported(from: string, ref: ImportRef, depth = 0): ProgramAt | undefined {
    const target = this.resolve(from, ref.specifier);
    return target ? this.exported(target, ref.importedName, depth + 1) : undefined;
  }

  private exported(file: string, name: string, depth: number): ProgramAt | undefined {
    const det = this.files.get(file);
    if (!det || depth > MAX_DEPTH) return undefined;
    for (const p of [...det.programs, ...det.candidates]) {
      if (p.exportedAs.includes(name)) return this.local(file, p.name, depth);
    }
    for (const r of det.reExports) {
      if (r.exportedName === name) return this.imported(file, { specifier: r.specifier, importedName: r.importedName }, depth);
    }
    if (name === 'default') return undefined;
    for (const r of det.reExports) {
      if (r.exportedName !== '*') continue;
      const hit = this.imported(file, { specifier: r.specifier, importedName: name }, depth);
      if (hit) return hit;
    }
    return undefined;
  }

  taskProgram(file: string, task: TaskDetection): { file: string; name: string } | undefined {
    const link = task.program;
    if (!link) return undefined;
    const hit = link.local ? this.local(file, link.className, 0) : link.import ? this.imported(file, link.import) : undefined;
    return hit ? { file: hit.file, name: hit.program.name } : undefined;
  }

  /** All predictors of a program in runtime order, expanding cross-file bases and sub-modules. */
  predictors(file: string, program: ProgramDetection, prefix = '', stack: string[] = []): Array<PredictorDetection & { file: string }> {
    const key = `${file}\0${program.name}`;
    if (stack.includes(key) || stack.length > MAX_DEPTH) return [];
    const inner = [...stack, key];
    const own = program.predictors.map((p) => ({ ...p, name: joinName(prefix, p.name), file }));
    const merged: Array<PredictorDetection & { file: string }> = [];
    let taken = 0;
    for (const ref of [...program.subModuleRefs].sort((a, b) => a.predictorIndex - b.predictorIndex)) {
      merged.push(...own.slice(taken, ref.predictorIndex));
      taken = Math.max(taken, ref.predictorIndex);
      const target = this.imported(file, ref.import);
      if (target) merged.push(...this.predictors(target.file, target.program, joinName(prefix, ref.name), inner));
    }
    merged.push(...own.slice(taken));
    const base = program.base.kind === 'module' ? undefined : this.baseProgram(file, program, 0);
    if (!base) return merged;
    const inherited = this.predictors(base.file, base.program, prefix, inner);
    // A field redefined in the subclass keeps its place (own-key order) but takes the subclass's value.
    const overrides = new Map(merged.map((p) => [p.name, p]));
    const out = inherited.map((p) => overrides.get(p.name) ?? p);
    const placed = new Set(out.map((p) => p.name));
    return [...out, ...merged.filter((p) => !placed.has(p.name))];
  }
}
