import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Range } from '../../../../src/engine/discovery/types';

export const FIXTURES = join(__dirname, '../../../fixtures/discovery');

export function fixture(name: string): { path: string; text: string } {
  const path = join(FIXTURES, name);
  return { path, text: readFileSync(path, 'utf8') };
}

function offsetOf(text: string, line: number, character: number): number {
  const lines = text.split('\n');
  let off = 0;
  for (let i = 0; i < line; i++) off += lines[i].length + 1;
  return off + character;
}

/** The source text a detector range covers. */
export function textAt(text: string, range: Range): string {
  return text.slice(offsetOf(text, range.start.line, range.start.character), offsetOf(text, range.end.line, range.end.character));
}

/** Applies one edit given as a range and its replacement. */
export function applyEdit(text: string, range: Range, newText: string): string {
  const start = offsetOf(text, range.start.line, range.start.character);
  const end = offsetOf(text, range.end.line, range.end.character);
  return text.slice(0, start) + newText + text.slice(end);
}
