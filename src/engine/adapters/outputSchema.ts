import type { FieldType } from '../program/fieldTypes';
import type { Signature } from '../program/signature';

/**
 * The JSON Schema of a signature's outputs, for servers that enforce
 * `response_format: json_schema` by constrained decoding (ours, vLLM,
 * OpenAI strict mode): every output field required, no other keys, in the
 * signature's order, so the answer parses by construction.
 */

export type JsonSchema = Record<string, unknown>;

export function fieldSchema(t: FieldType): JsonSchema {
  switch (t.kind) {
    case 'string':
      return { type: 'string' };
    case 'number':
      return { type: t.integer ? 'integer' : 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'list':
      return { type: 'array', items: fieldSchema(t.items) };
    case 'literal':
      return { enum: [...t.values] };
    case 'json':
      return { type: 'object' };
  }
}

export function outputSchema(signature: Signature): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of signature.outputFields) properties[f.name] = f.description ? { ...fieldSchema(f.type), description: f.description } : fieldSchema(f.type);
  return { type: 'object', properties, required: signature.outputNames.slice(), additionalProperties: false };
}

/** The request body field asking for the outputs as schema-valid JSON. */
export function responseFormatFor(signature: Signature): { response_format: Record<string, unknown> } {
  return { response_format: { type: 'json_schema', json_schema: { name: 'outputs', strict: true, schema: outputSchema(signature) } } };
}
