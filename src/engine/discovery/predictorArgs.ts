import ts from 'typescript';
import { unwrap } from './bindings';
import { propertyKey } from './classes';
import { positionAt, rangeOf } from './ranges';
import type { PredictorDetection, PredictorKind, Range } from './types';

interface Placement {
  name: string;
  fieldRange: Range;
  declaredIn: string;
}

/** Reads the signature and instructions arguments of `new Predict(signature, options)`. */
export function describePredictor(sf: ts.SourceFile, e: ts.NewExpression, kind: PredictorKind, at: Placement): PredictorDetection {
  const args = e.arguments ?? ts.factory.createNodeArray<ts.Expression>();
  const sig = args[0];
  const out: PredictorDetection = {
    name: at.name,
    kind,
    signature: '',
    signatureStatic: false,
    range: rangeOf(sf, e),
    fieldRange: at.fieldRange,
    declaredIn: at.declaredIn,
  };
  if (sig) {
    const s = unwrap(sig);
    out.signatureStatic = ts.isStringLiteral(s) || ts.isNoSubstitutionTemplateLiteral(s);
    out.signature = out.signatureStatic ? (s as ts.StringLiteralLike).text : sig.getText(sf);
  }
  const opts = args[1];
  if (!opts) {
    if (sig && args.length === 1) out.instructionEdit = { kind: 'insertArgument', position: positionAt(sf, sig.getEnd()) };
    return out;
  }
  readInstructions(sf, unwrap(opts), out);
  return out;
}

function readInstructions(sf: ts.SourceFile, opts: ts.Expression, out: PredictorDetection): void {
  if (!ts.isObjectLiteralExpression(opts)) {
    out.instructionsSource = opts.getText(sf);
    return;
  }
  let spread = false;
  for (const p of opts.properties) {
    if (ts.isSpreadAssignment(p)) spread = true;
    const named = (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && propertyKey(p.name) === 'instructions';
    if (!named) continue;
    if (ts.isShorthandPropertyAssignment(p)) {
      out.instructionsSource = p.name.text;
      return;
    }
    const v = unwrap(p.initializer);
    if (ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)) {
      out.instructions = v.text;
      out.instructionsRange = rangeOf(sf, v);
      out.instructionEdit = { kind: 'replace', range: out.instructionsRange, quote: quoteOf(sf, v) };
    } else {
      out.instructionsSource = p.initializer.getText(sf);
    }
    return;
  }
  // A spread may carry instructions of its own; writing next to it could be silently overridden.
  if (!spread) out.instructionEdit = { kind: 'insertProperty', position: positionAt(sf, opts.getStart(sf) + 1) };
}

function quoteOf(sf: ts.SourceFile, lit: ts.Node): "'" | '"' | '`' {
  const c = sf.text[lit.getStart(sf)];
  return c === '"' || c === '`' ? c : "'";
}
