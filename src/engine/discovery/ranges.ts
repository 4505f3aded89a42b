import ts from 'typescript';
import type { Position, Range } from './types';

export function positionAt(sf: ts.SourceFile, offset: number): Position {
  const lc = sf.getLineAndCharacterOfPosition(offset);
  return { line: lc.line, character: lc.character };
}

/** Range of a node without its leading trivia (comments, whitespace). */
export function rangeOf(sf: ts.SourceFile, node: ts.Node): Range {
  return { start: positionAt(sf, node.getStart(sf)), end: positionAt(sf, node.getEnd()) };
}

export function rangeFromOffsets(sf: ts.SourceFile, start: number, end: number): Range {
  return { start: positionAt(sf, start), end: positionAt(sf, end) };
}
