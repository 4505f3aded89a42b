import ts from 'typescript';
import { type FileBindings, importOf, sdkNameOf, unwrap } from './bindings';
import type { ClassInfo } from './classes';
import { propertyKey } from './classes';
import { describePredictor } from './predictorArgs';
import { rangeOf } from './ranges';
import type { DynamicPredictors, PredictorDetection, PredictorKind, SubModuleRef } from './types';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Same naming rule as `Module.namedPredictors()`. */
export function childName(prefix: string, key: string): string {
  if (IDENT.test(key)) return prefix ? `${prefix}.${key}` : key;
  return `${prefix}[${JSON.stringify(key)}]`;
}

/** Object.keys order: array-index keys ascending first, then the rest in insertion order. */
export function runtimeKeyOrder<T>(entries: Array<[string, T]>): Array<[string, T]> {
  const isIndex = (k: string): boolean => /^(0|[1-9][0-9]*)$/.test(k) && Number(k) < 2 ** 32 - 1;
  const idx = entries.filter(([k]) => isIndex(k)).sort((a, b) => Number(a[0]) - Number(b[0]));
  return [...idx, ...entries.filter(([k]) => !isIndex(k))];
}

export interface WalkContext {
  sf: ts.SourceFile;
  b: FileBindings;
  /** Program classes of this file by name: the only ones expanded as sub-modules. */
  programs: Map<string, ClassInfo>;
  /** Every class of the file by name, for inherited fields. */
  classes: Map<string, ClassInfo>;
}

export interface WalkResult {
  predictors: PredictorDetection[];
  subModuleRefs: SubModuleRef[];
  dynamic: DynamicPredictors[];
  /** `new Predict(...)` nodes that got a name, so the rest can be reported as dynamic. */
  attributed: Set<ts.Node>;
}

interface FieldSite {
  decl: ts.Node;
  owner: string;
}

type Slot = { expr?: ts.Expression; site: FieldSite };

export function predictorKind(ctx: WalkContext, e: ts.Expression): PredictorKind | undefined {
  const n = sdkNameOf(ctx.b, e);
  return n === 'Predict' || n === 'ChainOfThought' ? n : undefined;
}

/** Own keys of an instance in runtime order, inherited (same-file) ones first; a redefined key keeps its place. */
export function instanceSlots(ctx: WalkContext, cls: ClassInfo, seen = new Set<ClassInfo>()): Map<string, Slot> {
  if (seen.has(cls)) return new Map();
  seen.add(cls);
  const base = cls.base?.kind === 'local' ? ctx.classes.get(cls.base.name) : undefined;
  const slots = base ? instanceSlots(ctx, base, seen) : new Map<string, Slot>();
  for (const f of cls.own) {
    // `alias = this.first` holds whatever `first` holds at that moment, even if a subclass later replaces `first`.
    const ref = f.expr && unwrap(f.expr);
    const aliased = ref && ts.isPropertyAccessExpression(ref) && ref.expression.kind === ts.SyntaxKind.ThisKeyword;
    const slot = aliased ? slots.get(ref.name.text) : undefined;
    slots.set(f.key, aliased ? { expr: slot?.expr, site: slot?.site ?? { decl: f.decl, owner: cls.name } } : { expr: f.expr, site: { decl: f.decl, owner: cls.name } });
  }
  return slots;
}

/** Names every predictor reachable from the fields of `cls`, as the runtime walk would. */
export function walkProgram(ctx: WalkContext, cls: ClassInfo): WalkResult {
  const out: WalkResult = { predictors: [], subModuleRefs: [], dynamic: [], attributed: new Set() };
  walkInstance(ctx, cls, '', out, new Set());
  reportUnattributed(ctx, cls, out);
  return out;
}

function walkInstance(ctx: WalkContext, cls: ClassInfo, prefix: string, out: WalkResult, stack: Set<ClassInfo>): void {
  stack.add(cls);
  const entries = runtimeKeyOrder([...instanceSlots(ctx, cls).entries()]);
  // Within one instance a node is one object: the runtime names it under its first key only.
  const seen = new Set<ts.Node>();
  for (const [key, slot] of entries) {
    if (!slot.expr || seen.has(unwrap(slot.expr))) continue;
    seen.add(unwrap(slot.expr));
    walkValue(ctx, slot.expr, childName(prefix, key), slot.site, out, stack);
  }
  stack.delete(cls);
}

function walkValue(ctx: WalkContext, expr: ts.Expression, name: string, site: FieldSite, out: WalkResult, stack: Set<ClassInfo>): void {
  const e = unwrap(expr);
  if (ts.isNewExpression(e)) walkNew(ctx, e, name, site, out, stack);
  else if (ts.isArrayLiteralExpression(e)) walkArray(ctx, e, name, site, out, stack);
  else if (ts.isObjectLiteralExpression(e)) walkObject(ctx, e, name, site, out, stack);
  else if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
    // `alias = this.first`: the same object again, which the runtime names once.
  } else markDynamic(ctx, e, name, 'built by an expression the detector does not evaluate', out);
}

function walkNew(ctx: WalkContext, e: ts.NewExpression, name: string, site: FieldSite, out: WalkResult, stack: Set<ClassInfo>): void {
  const kind = predictorKind(ctx, e.expression);
  if (kind) {
    out.attributed.add(e);
    out.predictors.push(describePredictor(ctx.sf, e, kind, { name, fieldRange: rangeOf(ctx.sf, site.decl), declaredIn: site.owner }));
    return;
  }
  const callee = unwrap(e.expression);
  const local = ts.isIdentifier(callee) ? ctx.programs.get(callee.text) : undefined;
  out.attributed.add(e);
  if (local) {
    if (stack.has(local)) markDynamic(ctx, e, name, `\`${local.name}\` contains itself, so the program never finishes constructing`, out);
    else walkInstance(ctx, local, name, out, stack);
    return;
  }
  const imported = importOf(ctx.b, callee);
  if (imported) {
    out.subModuleRefs.push({
      name,
      className: imported.className,
      import: imported.ref,
      predictorIndex: out.predictors.length,
      range: rangeOf(ctx.sf, e),
      fieldRange: rangeOf(ctx.sf, site.decl),
    });
  }
}

function walkArray(ctx: WalkContext, e: ts.ArrayLiteralExpression, name: string, site: FieldSite, out: WalkResult, stack: Set<ClassInfo>): void {
  for (let i = 0; i < e.elements.length; i++) {
    const el = e.elements[i];
    if (ts.isSpreadElement(el)) {
      // What a spread brings, and every index after it, is known only at run time.
      markDynamic(ctx, el, name, 'an array spread adds predictors the detector cannot see', out, true);
      return;
    }
    if (!ts.isOmittedExpression(el)) walkValue(ctx, el, `${name}[${i}]`, site, out, stack);
  }
}

function walkObject(ctx: WalkContext, e: ts.ObjectLiteralExpression, name: string, site: FieldSite, out: WalkResult, stack: Set<ClassInfo>): void {
  const entries: Array<[string, ts.Expression]> = [];
  for (const p of e.properties) {
    const key = ts.isPropertyAssignment(p) ? propertyKey(p.name) : undefined;
    if (ts.isPropertyAssignment(p) && key !== undefined) {
      entries.push([key, p.initializer]);
      continue;
    }
    const reason = 'an object property the detector cannot name (spread, computed key, shorthand or accessor)';
    markDynamic(ctx, p, name, reason, out, ts.isSpreadAssignment(p));
  }
  for (const [key, value] of runtimeKeyOrder(entries)) walkValue(ctx, value, childName(name, key), site, out, stack);
}

/** Records predictors inside `node` as run-time-only; `always` when the node may bring predictors from elsewhere. */
function markDynamic(ctx: WalkContext, node: ts.Node, name: string, reason: string, out: WalkResult, always = false): void {
  const inside = findPredictorNews(ctx, node).filter((n) => !out.attributed.has(n));
  if (inside.length === 0 && !always) return;
  for (const n of inside) out.attributed.add(n);
  out.dynamic.push({ name, reason, range: rangeOf(ctx.sf, node) });
}

/** `new Predict(...)` / `new ChainOfThought(...)` / `new LocalProgram()` below `node`, not entering nested classes. */
export function findPredictorNews(ctx: WalkContext, node: ts.Node): ts.NewExpression[] {
  const found: ts.NewExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (n !== node && ts.isClassLike(n)) return;
    if (ts.isNewExpression(n)) {
      const callee = unwrap(n.expression);
      if (predictorKind(ctx, n.expression) || (ts.isIdentifier(callee) && ctx.programs.has(callee.text))) found.push(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function reportUnattributed(ctx: WalkContext, cls: ClassInfo, out: WalkResult): void {
  for (const m of cls.node.members) {
    for (const n of findPredictorNews(ctx, m)) {
      if (out.attributed.has(n)) continue;
      out.attributed.add(n);
      out.dynamic.push({
        name: '',
        reason: 'created outside a field initializer or a top-level `this.x = ...` in the constructor; its name is known only at run time',
        range: rangeOf(ctx.sf, n),
      });
    }
  }
}
