import ts from 'typescript';
import { type FileBindings, unwrap } from './bindings';
import type { ReExport } from './types';

export interface FileExports {
  /** Local name -> names it is exported as. */
  byLocal: Map<string, string[]>;
  /** The expression of `export default x`, `export = x` or `module.exports = x`. */
  defaultExpression?: ts.Expression;
  reExports: ReExport[];
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

export function isExported(node: ts.Node): boolean {
  return hasModifier(node, ts.SyntaxKind.ExportKeyword);
}

export function isDefaultExported(node: ts.Node): boolean {
  return isExported(node) && hasModifier(node, ts.SyntaxKind.DefaultKeyword);
}

/** `module.exports` or `exports`. */
function isCjsExportsObject(e: ts.Expression): boolean {
  if (ts.isIdentifier(e)) return e.text === 'exports';
  return ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'module' && e.name.text === 'exports';
}

/** The exported name for `module.exports = ...` ('default'), `exports.X = ...` ('X'); else undefined. */
export function cjsExportTarget(left: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(left) && left.name.text === 'exports' && ts.isIdentifier(left.expression) && left.expression.text === 'module') {
    return 'default';
  }
  if (ts.isPropertyAccessExpression(left) && isCjsExportsObject(left.expression)) return left.name.text;
  return undefined;
}

export function collectExports(sf: ts.SourceFile, b: FileBindings): FileExports {
  const out: FileExports = { byLocal: new Map(), reExports: [] };
  const add = (local: string, exported: string): void => {
    const list = out.byLocal.get(local) ?? [];
    if (!list.includes(exported)) list.push(exported);
    out.byLocal.set(local, list);
  };
  for (const st of sf.statements) {
    if ((ts.isClassDeclaration(st) || ts.isFunctionDeclaration(st)) && isExported(st)) {
      if (st.name) add(st.name.text, isDefaultExported(st) ? 'default' : st.name.text);
    } else if (ts.isVariableStatement(st) && isExported(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) add(d.name.text, d.name.text);
    } else if (ts.isExportAssignment(st)) {
      out.defaultExpression = st.expression;
      const e = unwrap(st.expression);
      if (ts.isIdentifier(e)) add(e.text, 'default');
    } else if (ts.isExportDeclaration(st)) {
      addExportDeclaration(out, st, b, add);
    } else if (ts.isExpressionStatement(st)) {
      addCjsExport(out, st.expression, add);
    }
  }
  return out;
}

function addExportDeclaration(
  out: FileExports,
  st: ts.ExportDeclaration,
  b: FileBindings,
  add: (local: string, exported: string) => void,
): void {
  if (st.isTypeOnly) return;
  const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
  const clause = st.exportClause;
  if (!clause) {
    if (spec !== undefined) out.reExports.push({ specifier: spec, importedName: '*', exportedName: '*' });
    return;
  }
  if (!ts.isNamedExports(clause)) return;
  for (const el of clause.elements) {
    if (el.isTypeOnly) continue;
    const local = (el.propertyName ?? el.name).text;
    const exported = el.name.text;
    if (spec !== undefined) {
      out.reExports.push({ specifier: spec, importedName: local, exportedName: exported });
      continue;
    }
    // `import { P } from './p'; export { P }` forwards a binding: to a resolver it is a re-export.
    const imported = b.imports.get(local);
    if (imported) out.reExports.push({ specifier: imported.specifier, importedName: imported.importedName, exportedName: exported });
    else add(local, exported);
  }
}

function addCjsExport(out: FileExports, e: ts.Expression, add: (local: string, exported: string) => void): void {
  if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const target = cjsExportTarget(e.left);
  if (target === undefined) return;
  const right = unwrap(e.right);
  if (target === 'default') out.defaultExpression = e.right;
  if (ts.isIdentifier(right)) add(right.text, target);
  else if (target === 'default' && ts.isObjectLiteralExpression(right)) {
    // `module.exports = { A, B: C }`
    for (const p of right.properties) {
      if (ts.isShorthandPropertyAssignment(p)) add(p.name.text, p.name.text);
      else if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && ts.isIdentifier(unwrap(p.initializer))) {
        add((unwrap(p.initializer) as ts.Identifier).text, p.name.text);
      }
    }
  }
}
