import type { ChatMessage } from '../../protocol/lm';
import type { Signature } from '../program/signature';
import { coerceJsonValue, quote } from './coerce';
import { describeFields, hasAnyField, instructionsBlock, renderSections, typeHint } from './promptParts';
import { AdapterParseError, allFieldsFailed, parseFailure } from './errors';
import { responseFormatFor } from './outputSchema';
import type { Adapter, FormatInput, FormattedPrompt } from './types';

export interface JSONAdapterOptions {
  /** Send the outputs' JSON Schema as `response_format`, for servers that enforce it by constrained decoding. */
  structuredOutputs?: boolean;
}

/** Asks for one JSON object keyed by the output field names. */
export class JSONAdapter implements Adapter {
  constructor(readonly options: JSONAdapterOptions = {}) {}

  format(input: FormatInput): FormattedPrompt {
    const { signature } = input;
    const system = [describeFields(signature), jsonFormat(signature), instructionsBlock(input.instructions)].join('\n\n');
    const messages: ChatMessage[] = [{ role: 'system', content: system }];
    for (const demo of input.demos) {
      if (!hasAnyField(signature.outputFields, demo)) continue;
      messages.push({ role: 'user', content: renderSections(signature.inputFields, demo) || '(no inputs given for this example)' });
      messages.push({ role: 'assistant', content: this.formatAnswer(signature, demo) });
    }
    const keys = signature.outputNames.map((n) => `"${n}"`).join(', ');
    const reminder = `Respond with a single JSON object with the keys ${keys}, and nothing else.`;
    messages.push({ role: 'user', content: `${renderSections(signature.inputFields, input.inputs)}\n\n${reminder}` });
    return this.options.structuredOutputs ? { messages, extraBody: responseFormatFor(signature) } : { messages };
  }

  formatAnswer(signature: Signature, outputs: Record<string, unknown>): string {
    const obj: Record<string, unknown> = {};
    for (const f of signature.outputFields) {
      if (Object.hasOwn(outputs, f.name) && outputs[f.name] !== undefined) obj[f.name] = outputs[f.name];
    }
    return JSON.stringify(obj);
  }

  parse(signature: Signature, completion: string): Record<string, unknown> {
    try {
      return parseJsonAnswer(signature, completion);
    } catch (e) {
      if (e instanceof AdapterParseError) throw e;
      throw allFieldsFailed(signature, `internal parse error: ${(e as Error).message}`);
    }
  }
}

function jsonFormat(signature: Signature): string {
  const lines = signature.outputFields.map((f) => `  "${f.name}": <${typeHint(f.type)}>`);
  return ['Answer format: a single JSON object, with no other text:', '{', lines.join(',\n'), '}'].join('\n');
}

function parseJsonAnswer(signature: Signature, completion: string): Record<string, unknown> {
  const obj = findJsonObject(completion);
  if (!obj) {
    const reason = 'no JSON object found in the output';
    throw parseFailure(signature, new Map(signature.outputNames.map((n) => [n, reason])), `Output was ${quote(completion)}`);
  }
  const outputs: Record<string, unknown> = {};
  const problems = new Map<string, string>();
  for (const f of signature.outputFields) {
    if (!Object.hasOwn(obj, f.name)) {
      problems.set(f.name, 'key missing from the JSON object');
      continue;
    }
    const r = coerceJsonValue(f.type, obj[f.name]);
    if (r.ok) outputs[f.name] = r.value;
    else problems.set(f.name, r.reason);
  }
  if (problems.size > 0) throw parseFailure(signature, problems);
  return outputs;
}

/** Bounds the search on long brace soup; real answers put the object near the start. */
const MAX_CANDIDATES = 64;

/** The first balanced `{...}` that parses as a JSON object (fences and prose around it are fine). */
export function findJsonObject(text: string): Record<string, unknown> | undefined {
  let from = 0;
  for (let tries = 0; tries < MAX_CANDIDATES; tries++) {
    const start = text.indexOf('{', from);
    if (start < 0) return undefined;
    const end = balancedEnd(text, start);
    from = start + 1;
    if (end < 0) continue;
    try {
      const v: unknown = JSON.parse(text.slice(start, end + 1));
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // not JSON; try the next opening brace
    }
  }
  return undefined;
}

/** Index of the brace closing the one at `start`, honouring JSON strings; -1 when unbalanced. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}
