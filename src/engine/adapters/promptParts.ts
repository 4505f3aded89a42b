import type { FieldSpec, FieldType } from '../program/fieldTypes';
import { formatFieldType, formatLiteralValue } from '../program/fieldTypes';
import type { Signature } from '../program/signature';
import { renderValue } from './coerce';

/** What the model must write for a field of this type, in plain words. */
export function typeHint(t: FieldType): string {
  switch (t.kind) {
    case 'string':
      return 'text';
    case 'number':
      return t.integer ? 'an integer' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'list':
      return `a JSON array; each item ${typeHint(t.items)}`;
    case 'literal':
      return `exactly one of: ${t.values.map(formatLiteralValue).join(', ')}`;
    case 'json':
      return 'a JSON object';
  }
}

function describeField(f: FieldSpec, i: number): string {
  const desc = f.description ? `: ${f.description}` : '';
  return `${i + 1}. \`${f.name}\` (${formatFieldType(f.type)})${desc}`;
}

/** The part of every system message that lists fields, shared by both adapters. */
export function describeFields(signature: Signature): string {
  return [
    'Input fields:',
    ...signature.inputFields.map(describeField),
    'Output fields:',
    ...signature.outputFields.map(describeField),
  ].join('\n');
}

export function instructionsBlock(instructions: string): string {
  return `Task instructions:\n${instructions.trim()}`;
}

export function marker(name: string): string {
  return `[[ ## ${name} ## ]]`;
}

export const COMPLETED = 'completed';

/** Marker sections for the given fields, skipping those absent from `values` (partial demos). */
export function renderSections(fields: readonly FieldSpec[], values: Record<string, unknown>): string {
  // A plain loop: this renders the inputs of every call.
  let out = '';
  for (const f of fields) {
    if (!Object.hasOwn(values, f.name) || values[f.name] === undefined) continue;
    if (out) out += '\n\n';
    out += `${marker(f.name)}\n${renderValue(f.type, values[f.name])}`;
  }
  return out;
}

export function hasAnyField(fields: FieldSpec[], values: Record<string, unknown>): boolean {
  return fields.some((f) => Object.hasOwn(values, f.name) && values[f.name] !== undefined);
}
