import ts from 'typescript';
import { type FileBindings, importOf, sdkNameOf, unwrap } from './bindings';
import { propertyKey } from './classes';
import type { FileExports } from './exports';
import { rangeOf } from './ranges';
import type { ProgramLink, TaskDetection } from './types';

/** Top-level `const/let/var name = init` of the file. */
function topLevelInitializers(sf: ts.SourceFile): Map<string, ts.Expression> {
  const out = new Map<string, ts.Expression>();
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer) out.set(d.name.text, d.initializer);
    }
  }
  return out;
}

/**
 * The task a file default-exports: `export default defineTask(...)`,
 * `export default task` / `export { task as default }` with
 * `const task = defineTask(...)`, or `module.exports = ...` in CommonJS.
 * The loader uses only the default export, so other defineTask calls are not tasks.
 */
export function detectTasks(sf: ts.SourceFile, b: FileBindings, exp: FileExports, programs: Set<string>): TaskDetection[] {
  const vars = topLevelInitializers(sf);
  let expr: ts.Expression | undefined = exp.defaultExpression;
  if (!expr) {
    const local = [...exp.byLocal.entries()].find(([, names]) => names.includes('default'))?.[0];
    expr = local !== undefined ? vars.get(local) : undefined;
  }
  const call = expr ? followToCall(expr, vars, 0) : undefined;
  if (!call || sdkNameOf(b, call.expression) !== 'defineTask') return [];
  return [describeTask(sf, b, call, vars, programs)];
}

function followToCall(e: ts.Expression, vars: Map<string, ts.Expression>, depth: number): ts.CallExpression | undefined {
  const x = unwrap(e);
  if (ts.isCallExpression(x)) return x;
  if (ts.isIdentifier(x) && depth < 5) {
    const init = vars.get(x.text);
    return init ? followToCall(init, vars, depth + 1) : undefined;
  }
  return undefined;
}

function describeTask(
  sf: ts.SourceFile,
  b: FileBindings,
  call: ts.CallExpression,
  vars: Map<string, ts.Expression>,
  programs: Set<string>,
): TaskDetection {
  const task: TaskDetection = { range: rangeOf(sf, call) };
  const arg = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
  if (!arg || !ts.isObjectLiteralExpression(arg)) return task;
  for (const p of arg.properties) {
    const isProp = ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p);
    const key = isProp ? propertyKey(p.name) : undefined;
    if (key === 'name' && ts.isPropertyAssignment(p)) {
      const v = unwrap(p.initializer);
      if (ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)) {
        task.name = v.text.trim();
      }
    } else if (key === 'program') {
      const value = ts.isPropertyAssignment(p) ? p.initializer : (p as ts.ShorthandPropertyAssignment).name;
      task.program = programLink(sf, b, value, vars, programs);
    }
  }
  return task;
}

function programLink(
  sf: ts.SourceFile,
  b: FileBindings,
  value: ts.Expression,
  vars: Map<string, ts.Expression>,
  programs: Set<string>,
): ProgramLink | undefined {
  let e = unwrap(value);
  for (let i = 0; i < 5 && ts.isIdentifier(e) && vars.has(e.text); i++) e = unwrap(vars.get(e.text) as ts.Expression);
  if (!ts.isNewExpression(e)) return undefined;
  const callee = unwrap(e.expression);
  const range = rangeOf(sf, e);
  if (ts.isIdentifier(callee) && programs.has(callee.text)) return { className: callee.text, range, local: true };
  const imported = importOf(b, callee);
  if (imported) return { className: imported.className, range, local: false, import: imported.ref };
  return ts.isIdentifier(callee) ? { className: callee.text, range, local: false } : undefined;
}
