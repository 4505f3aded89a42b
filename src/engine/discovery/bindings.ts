import ts from 'typescript';
import type { ImportRef } from './types';

export const SDK_SPECIFIER = 'mmgrpo';

/** The SDK exports the detector cares about. */
export type SdkName = 'Module' | 'Predict' | 'ChainOfThought' | 'defineTask';
const SDK_NAMES = new Set<string>(['Module', 'Predict', 'ChainOfThought', 'defineTask']);

/** What each top-level name of a file refers to, as far as imports and requires tell. */
export interface FileBindings {
  /** Local name -> SDK export (`import { Predict as P } from 'mmgrpo'` gives P -> Predict). */
  sdk: Map<string, SdkName>;
  /** Local names bound to the whole SDK (`import * as mm`, `const mm = require('mmgrpo')`). */
  sdkNamespaces: Set<string>;
  /** Local name -> binding imported from another module. */
  imports: Map<string, ImportRef>;
  /** Local name -> specifier, for namespace imports of other modules. */
  namespaces: Map<string, string>;
}

export function collectBindings(sf: ts.SourceFile): FileBindings {
  const b: FileBindings = { sdk: new Map(), sdkNamespaces: new Set(), imports: new Map(), namespaces: new Map() };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) addImport(b, st);
    else if (ts.isImportEqualsDeclaration(st)) addImportEquals(b, st);
    else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) addRequire(b, d);
    }
  }
  return b;
}

function bindNamed(b: FileBindings, specifier: string, importedName: string, local: string): void {
  if (specifier === SDK_SPECIFIER) {
    if (SDK_NAMES.has(importedName)) b.sdk.set(local, importedName as SdkName);
  } else {
    b.imports.set(local, { specifier, importedName });
  }
}

function bindNamespace(b: FileBindings, specifier: string, local: string): void {
  if (specifier === SDK_SPECIFIER) b.sdkNamespaces.add(local);
  else b.namespaces.set(local, specifier);
}

function addImport(b: FileBindings, st: ts.ImportDeclaration): void {
  const clause = st.importClause;
  if (!clause || clause.isTypeOnly || !ts.isStringLiteral(st.moduleSpecifier)) return;
  const spec = st.moduleSpecifier.text;
  if (clause.name) bindNamed(b, spec, 'default', clause.name.text);
  const nb = clause.namedBindings;
  if (!nb) return;
  if (ts.isNamespaceImport(nb)) {
    bindNamespace(b, spec, nb.name.text);
    return;
  }
  for (const el of nb.elements) {
    if (el.isTypeOnly) continue;
    bindNamed(b, spec, (el.propertyName ?? el.name).text, el.name.text);
  }
}

function addImportEquals(b: FileBindings, st: ts.ImportEqualsDeclaration): void {
  const ref = st.moduleReference;
  if (st.isTypeOnly || !ts.isExternalModuleReference(ref) || !ts.isStringLiteral(ref.expression)) return;
  bindNamespace(b, ref.expression.text, st.name.text);
}

/** `require('x')` -> 'x'; anything else -> undefined. */
export function requireSpecifier(e: ts.Expression | undefined): string | undefined {
  if (!e || !ts.isCallExpression(e) || !ts.isIdentifier(e.expression) || e.expression.text !== 'require') return undefined;
  const arg = e.arguments[0];
  return e.arguments.length === 1 && arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
}

function addRequire(b: FileBindings, d: ts.VariableDeclaration): void {
  const init = d.initializer;
  const direct = requireSpecifier(init);
  if (direct !== undefined) {
    if (ts.isIdentifier(d.name)) bindNamespace(b, direct, d.name.text);
    else if (ts.isObjectBindingPattern(d.name)) {
      for (const el of d.name.elements) {
        if (el.dotDotDotToken || !ts.isIdentifier(el.name)) continue;
        const imported = el.propertyName ?? el.name;
        if (ts.isIdentifier(imported) || ts.isStringLiteral(imported)) bindNamed(b, direct, imported.text, el.name.text);
      }
    }
    return;
  }
  // `const Module = require('mmgrpo').Module`
  if (init && ts.isPropertyAccessExpression(init) && ts.isIdentifier(d.name)) {
    const spec = requireSpecifier(init.expression);
    if (spec !== undefined) bindNamed(b, spec, init.name.text, d.name.text);
  }
}

/** Strips wrappers that do not change the runtime value: parentheses, `as`, `satisfies`, `!`, `<T>x`. */
export function unwrap(e: ts.Expression): ts.Expression {
  let cur = e;
  for (;;) {
    if (ts.isParenthesizedExpression(cur) || ts.isAsExpression(cur) || ts.isNonNullExpression(cur)) cur = cur.expression;
    else if (ts.isSatisfiesExpression(cur) || ts.isTypeAssertionExpression(cur)) cur = cur.expression;
    else return cur;
  }
}

/** Which SDK export an expression names: `Predict`, `P` (alias) or `mm.Predict`. */
export function sdkNameOf(b: FileBindings, e: ts.Expression): SdkName | undefined {
  const x = unwrap(e);
  if (ts.isIdentifier(x)) return b.sdk.get(x.text);
  if (ts.isPropertyAccessExpression(x) && ts.isIdentifier(x.expression) && b.sdkNamespaces.has(x.expression.text)) {
    const n = x.name.text;
    return SDK_NAMES.has(n) ? (n as SdkName) : undefined;
  }
  return undefined;
}

/** The import behind `X` or `ns.X` when it comes from another module. */
export function importOf(b: FileBindings, e: ts.Expression): { className: string; ref: ImportRef } | undefined {
  const x = unwrap(e);
  if (ts.isIdentifier(x)) {
    const ref = b.imports.get(x.text);
    return ref ? { className: x.text, ref } : undefined;
  }
  if (ts.isPropertyAccessExpression(x) && ts.isIdentifier(x.expression)) {
    const spec = b.namespaces.get(x.expression.text);
    return spec !== undefined ? { className: x.name.text, ref: { specifier: spec, importedName: x.name.text } } : undefined;
  }
  return undefined;
}
