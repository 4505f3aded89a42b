import type { InstructionEditTarget, Range } from './types';

export interface TextEdit {
  range: Range;
  newText: string;
}

/** A JS string literal for `value`, in the given quote style (template literals keep real newlines). */
export function quoteString(value: string, quote: "'" | '"' | '`'): string {
  let body = value.replace(/\\/g, '\\\\');
  if (quote === '`') {
    body = body.replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  } else {
    body = body
      .split(quote)
      .join(`\\${quote}`)
      .replace(/\r/g, '\\r')
      .replace(/\n/g, '\\n')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029');
  }
  return `${quote}${body}${quote}`;
}

/**
 * The edit that makes a predictor's source say `instructions`. Pure, so the
 * extension only wraps it in a WorkspaceEdit; the file must not have changed
 * since detection (the ranges come from that text).
 */
export function instructionTextEdit(target: InstructionEditTarget, instructions: string): TextEdit {
  if (target.kind === 'replace') return { range: target.range, newText: quoteString(instructions, target.quote) };
  const at: Range = { start: target.position, end: target.position };
  const lit = quoteString(instructions, "'");
  if (target.kind === 'insertProperty') return { range: at, newText: ` instructions: ${lit},` };
  return { range: at, newText: `, { instructions: ${lit} }` };
}
