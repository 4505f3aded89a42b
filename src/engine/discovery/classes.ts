import ts from 'typescript';
import { type FileBindings, importOf, sdkNameOf, unwrap } from './bindings';
import { cjsExportTarget, type FileExports, isDefaultExported } from './exports';
import { rangeFromOffsets, rangeOf } from './ranges';
import type { BaseRef, Range } from './types';

/** One own-key write of an instance field, in the order the runtime performs it. */
export interface FieldEntry {
  key: string;
  /** Undefined for `x;` (defines the key with value undefined). */
  expr?: ts.Expression;
  decl: ts.Node;
}

export interface ClassInfo {
  node: ts.ClassLikeDeclaration;
  name: string;
  nameRange: Range;
  base?: BaseRef;
  exportedAs: string[];
  own: FieldEntry[];
}

export type ClassRole = 'program' | 'candidate' | 'other';

/** Every class in the file, nested ones and class expressions included, in source order. */
export function collectClasses(sf: ts.SourceFile, b: FileBindings, exp: FileExports): ClassInfo[] {
  const found: Array<{ node: ts.ClassLikeDeclaration; name: string; nameNode?: ts.Node; exported: string[] }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      const named = className(node);
      if (named) found.push({ node, ...named });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  const localNames = new Set(found.map((f) => f.name));
  return found.map((f) => ({
    node: f.node,
    name: f.name,
    nameRange: f.nameNode ? rangeOf(sf, f.nameNode) : classKeywordRange(sf, f.node),
    base: baseOf(f.node, b, localNames),
    exportedAs: [...new Set([...f.exported, ...(exp.byLocal.get(f.name) ?? [])])],
    own: ownFields(f.node),
  }));
}

/** The name other code uses to reach the class (`new X()`), not necessarily its `.name`. */
function className(node: ts.ClassLikeDeclaration): { name: string; nameNode?: ts.Node; exported: string[] } | undefined {
  const p = node.parent;
  if (ts.isClassExpression(node)) {
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return { name: p.name.text, nameNode: p.name, exported: [] };
    if ((ts.isPropertyDeclaration(p) || ts.isPropertyAssignment(p)) && ts.isIdentifier(p.name)) {
      return { name: p.name.text, nameNode: p.name, exported: [] };
    }
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = cjsExportTarget(p.left);
      if (target !== undefined) return { name: node.name?.text ?? target, nameNode: node.name, exported: [target] };
    }
    if (ts.isExportAssignment(p)) return { name: node.name?.text ?? 'default', nameNode: node.name, exported: ['default'] };
  }
  if (node.name) return { name: node.name.text, nameNode: node.name, exported: [] };
  if (ts.isClassDeclaration(node) && isDefaultExported(node)) return { name: 'default', exported: ['default'] };
  return undefined;
}

function classKeywordRange(sf: ts.SourceFile, node: ts.ClassLikeDeclaration): Range {
  const kw = node.getChildren(sf).find((c) => c.kind === ts.SyntaxKind.ClassKeyword);
  return kw ? rangeOf(sf, kw) : rangeFromOffsets(sf, node.getStart(sf), node.getStart(sf));
}

function baseOf(node: ts.ClassLikeDeclaration, b: FileBindings, localNames: Set<string>): BaseRef | undefined {
  const clause = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  const expr = clause?.types[0]?.expression;
  if (!expr) return undefined;
  if (sdkNameOf(b, expr) === 'Module') return { kind: 'module' };
  const e = unwrap(expr);
  if (ts.isIdentifier(e) && localNames.has(e.text)) return { kind: 'local', name: e.text };
  const imported = importOf(b, e);
  return imported ? { kind: 'import', import: imported.ref } : undefined;
}

/** Key of an own, enumerable instance property; undefined for #private, computed and odd names. */
export function propertyKey(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isNumericLiteral(name)) return String(Number(name.text));
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) return name.expression.text;
  return undefined;
}

function skipsInstanceKey(m: ts.PropertyDeclaration): boolean {
  const mods = ts.getModifiers(m) ?? [];
  const skip = [ts.SyntaxKind.StaticKeyword, ts.SyntaxKind.DeclareKeyword, ts.SyntaxKind.AbstractKeyword];
  return mods.some((x) => skip.includes(x.kind));
}

/**
 * Field initializers run before the constructor body (right after `super()`
 * in derived classes), so declarations come first, then `this.x = ...`
 * statements at the top level of the constructor. Assignments nested in
 * conditions or loops are not followed: their keys are known only at run time.
 */
function ownFields(node: ts.ClassLikeDeclaration): FieldEntry[] {
  const out: FieldEntry[] = [];
  for (const m of node.members) {
    if (!ts.isPropertyDeclaration(m) || skipsInstanceKey(m)) continue;
    const key = propertyKey(m.name);
    if (key !== undefined) out.push({ key, expr: m.initializer, decl: m });
  }
  const ctor = node.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
  for (const st of ctor?.body?.statements ?? []) {
    if (!ts.isExpressionStatement(st)) continue;
    const e = st.expression;
    if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const key = thisKey(e.left);
    if (key !== undefined) out.push({ key, expr: e.right, decl: st });
  }
  return out;
}

function thisKey(e: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword && ts.isIdentifier(e.name)) return e.name.text;
  if (ts.isElementAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword && ts.isStringLiteralLike(e.argumentExpression)) {
    return e.argumentExpression.text;
  }
  return undefined;
}

/** program: extends Module (directly or through classes of this file); candidate: extends an import. */
export function classRoles(classes: ClassInfo[]): Map<ClassInfo, ClassRole> {
  const byName = new Map<string, ClassInfo>();
  for (const c of classes) if (!byName.has(c.name)) byName.set(c.name, c);
  const roles = new Map<ClassInfo, ClassRole>();
  const roleOf = (c: ClassInfo, seen: Set<ClassInfo>): ClassRole => {
    const known = roles.get(c);
    if (known) return known;
    if (seen.has(c)) return 'other';
    seen.add(c);
    let role: ClassRole = 'other';
    if (c.base?.kind === 'module') role = 'program';
    else if (c.base?.kind === 'import') role = 'candidate';
    else if (c.base?.kind === 'local') {
      const base = byName.get(c.base.name);
      role = base ? roleOf(base, seen) : 'other';
    }
    roles.set(c, role);
    return role;
  };
  for (const c of classes) roleOf(c, new Set());
  return roles;
}
