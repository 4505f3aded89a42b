import ts from 'typescript';
import { collectBindings } from './bindings';
import { type ClassInfo, classRoles, collectClasses } from './classes';
import { collectExports } from './exports';
import { type WalkContext, walkProgram } from './predictors';
import { rangeFromOffsets, rangeOf } from './ranges';
import { detectTasks } from './tasks';
import type { FileDetection, ProgramDetection, SyntaxDiagnostic } from './types';

export function scriptKindFor(path: string): ts.ScriptKind {
  const ext = path.slice(path.lastIndexOf('.')).toLowerCase();
  if (ext === '.tsx') return ts.ScriptKind.TSX;
  if (ext === '.jsx') return ts.ScriptKind.JSX;
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs') return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

export function parse(path: string, text: string): ts.SourceFile {
  // Parent pointers are needed to name class expressions by the binding that holds them.
  return ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKindFor(path));
}

/** Syntax errors only: the parser's own diagnostics, no type checking. */
export function syntaxDiagnostics(sf: ts.SourceFile): SyntaxDiagnostic[] {
  const raw = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return raw.map((d) => ({
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    range: rangeFromOffsets(sf, d.start, d.start + d.length),
    code: d.code,
  }));
}

/**
 * Finds LM programs (classes extending `Module` from 'mmgrpo'), their
 * predictors with runtime names, and the task a file default-exports, from
 * the syntax tree of one file. Pure: no file system, no type checker.
 */
export function detectFile(path: string, text: string): FileDetection {
  const sf = parse(path, text);
  const b = collectBindings(sf);
  const exp = collectExports(sf, b);
  const classes = collectClasses(sf, b, exp);
  const roles = classRoles(classes);
  const byName = new Map<string, ClassInfo>();
  const programs = new Map<string, ClassInfo>();
  for (const c of classes) {
    if (!byName.has(c.name)) byName.set(c.name, c);
    if (roles.get(c) === 'program' && !programs.has(c.name)) programs.set(c.name, c);
  }
  const ctx: WalkContext = { sf, b, programs, classes: byName };
  const out: FileDetection = { path, programs: [], candidates: [], tasks: [], reExports: exp.reExports, diagnostics: syntaxDiagnostics(sf) };
  for (const c of classes) {
    const role = roles.get(c);
    if (role === 'program') out.programs.push(describeProgram(ctx, c));
    else if (role === 'candidate') out.candidates.push(describeProgram(ctx, c));
  }
  const linkable = new Set([...out.programs, ...out.candidates].map((p) => p.name));
  out.tasks = detectTasks(sf, b, exp, linkable);
  return out;
}

function describeProgram(ctx: WalkContext, c: ClassInfo): ProgramDetection {
  const walk = walkProgram(ctx, c);
  return {
    name: c.name,
    nameRange: c.nameRange,
    range: rangeOf(ctx.sf, c.node),
    exportedAs: c.exportedAs,
    base: c.base ?? { kind: 'module' },
    predictors: walk.predictors,
    subModuleRefs: walk.subModuleRefs,
    dynamic: walk.dynamic,
  };
}
