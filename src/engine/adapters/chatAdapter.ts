import type { ChatMessage } from '../../protocol/lm';
import type { FieldSpec, LiteralValue } from '../program/fieldTypes';
import type { Signature } from '../program/signature';
import { coerceText, quote, renderValue } from './coerce';
import { COMPLETED, describeFields, hasAnyField, instructionsBlock, marker, renderSections, typeHint } from './promptParts';
import { AdapterParseError, allFieldsFailed, parseFailure } from './errors';
import type { Adapter, FormatInput, FormattedPrompt } from './types';

export interface ChatAdapterOptions {
  /**
   * For signatures with exactly one literal output: ask for the bare value and
   * send `guided_choice` so servers that support it (vLLM) constrain decoding.
   */
  guidedChoice?: boolean;
}

/** The single literal output field that makes a signature eligible for choice mode. */
export function choiceField(signature: Signature): (FieldSpec & { type: { kind: 'literal'; values: LiteralValue[] } }) | undefined {
  const outs = signature.outputFields;
  if (outs.length !== 1 || outs[0].type.kind !== 'literal') return undefined;
  return outs[0] as FieldSpec & { type: { kind: 'literal'; values: LiteralValue[] } };
}

/** The assistant answer in marker format: every output field, then the completed marker. */
export function formatAnswer(signature: Signature, outputs: Record<string, unknown>): string {
  const body = renderSections(signature.outputFields, outputs);
  return body ? `${body}\n\n${marker(COMPLETED)}` : marker(COMPLETED);
}

// Signatures are immutable, so a rendered system message stays valid for the signature's life.
const SYSTEM_MESSAGES = new WeakMap<Signature, Map<string, string>>();

/** Renders fields between `[[ ## name ## ]]` markers; the format DSPy popularised. */
export class ChatAdapter implements Adapter {
  constructor(readonly options: ChatAdapterOptions = {}) {}

  private choiceFor(signature: Signature): ReturnType<typeof choiceField> {
    return this.options.guidedChoice ? choiceField(signature) : undefined;
  }

  format(input: FormatInput): FormattedPrompt {
    const { signature } = input;
    const choice = this.choiceFor(signature);
    const messages: ChatMessage[] = [{ role: 'system', content: this.systemMessage(signature, input.instructions, choice !== undefined) }];
    for (const demo of input.demos) {
      if (!hasAnyField(signature.outputFields, demo)) continue;
      messages.push({ role: 'user', content: renderSections(signature.inputFields, demo) || '(no inputs given for this example)' });
      messages.push({ role: 'assistant', content: choice ? renderValue(choice.type, demo[choice.name]) : formatAnswer(signature, demo) });
    }
    const reminder = choice ? choiceReminder(choice) : markerReminder(signature);
    messages.push({ role: 'user', content: `${renderSections(signature.inputFields, input.inputs)}\n\n${reminder}` });
    if (!choice) return { messages };
    return { messages, extraBody: { guided_choice: choice.type.values.map(String) }, choiceMode: true };
  }

  formatAnswer(signature: Signature, outputs: Record<string, unknown>): string {
    const choice = this.choiceFor(signature);
    return choice ? renderValue(choice.type, outputs[choice.name]) : formatAnswer(signature, outputs);
  }

  /** The system message is the same for every call of a module: built once per (signature, instructions, mode). */
  private systemMessage(signature: Signature, instructions: string, choiceMode: boolean): string {
    let bySig = SYSTEM_MESSAGES.get(signature);
    if (!bySig) SYSTEM_MESSAGES.set(signature, (bySig = new Map()));
    const key = `${choiceMode ? 1 : 0}${instructions}`;
    let text = bySig.get(key);
    if (text === undefined) {
      const format = choiceMode ? choiceFormat(signature) : markerFormat(signature);
      text = [describeFields(signature), format, instructionsBlock(instructions)].join('\n\n');
      if (bySig.size > 64) bySig.clear(); // prompt search tries many instructions: keep the cache small
      bySig.set(key, text);
    }
    return text;
  }

  parse(signature: Signature, completion: string, prompt?: FormattedPrompt): Record<string, unknown> {
    try {
      const choice = prompt ? (prompt.choiceMode ? choiceField(signature) : undefined) : this.choiceFor(signature);
      if (choice && !MARKER.test(completion)) return parseBare(signature, choice, completion);
      return parseMarkers(signature, completion);
    } catch (e) {
      if (e instanceof AdapterParseError) throw e;
      throw allFieldsFailed(signature, `internal parse error: ${(e as Error).message}`);
    }
  }
}

function markerFormat(signature: Signature): string {
  const sections = signature.outputFields.map((f) => `${marker(f.name)}\n<${f.name}: ${typeHint(f.type)}>`);
  return [
    'Answer format: write each output field after its marker, in this order, then the completed marker:',
    ...sections,
    marker(COMPLETED),
  ].join('\n\n');
}

function choiceFormat(signature: Signature): string {
  const f = signature.outputFields[0];
  return `Answer format: reply with only the value of \`${f.name}\`, ${typeHint(f.type)}. No markers, quotes or explanation.`;
}

function markerReminder(signature: Signature): string {
  const list = signature.outputFields.map((f) => `\`${marker(f.name)}\` (${typeHint(f.type)})`).join(', then ');
  return `Respond with ${list}, and finish with \`${marker(COMPLETED)}\`.`;
}

// The system message already lists the values and guided decoding enforces
// them; repeating a long list here would bury the inputs at the prompt's end.
function choiceReminder(f: FieldSpec): string {
  return `Respond with only the value of \`${f.name}\`.`;
}

const MARKER = /\[\[\s*##\s*(\w+)\s*##\s*\]\]/;

/** Text after the first marker of each name, up to the next marker of any name. */
function splitSections(completion: string): Map<string, string> {
  const re = new RegExp(MARKER.source, 'g');
  const hits = [...completion.matchAll(re)];
  const sections = new Map<string, string>();
  hits.forEach((m, i) => {
    const start = (m.index ?? 0) + m[0].length;
    const end = i + 1 < hits.length ? hits[i + 1].index ?? completion.length : completion.length;
    if (!sections.has(m[1])) sections.set(m[1], completion.slice(start, end));
  });
  return sections;
}

function parseMarkers(signature: Signature, completion: string): Record<string, unknown> {
  const sections = splitSections(completion);
  const outputs: Record<string, unknown> = {};
  const problems = new Map<string, string>();
  for (const f of signature.outputFields) {
    const text = sections.get(f.name);
    if (text === undefined) {
      problems.set(f.name, `no ${marker(f.name)} marker in the output`);
      continue;
    }
    const r = coerceText(f.type, text);
    if (r.ok) outputs[f.name] = r.value;
    else problems.set(f.name, r.reason);
  }
  if (problems.size > 0) throw parseFailure(signature, problems);
  return outputs;
}

function parseBare(signature: Signature, choice: FieldSpec, completion: string): Record<string, unknown> {
  const r = coerceText(choice.type, completion);
  if (r.ok) return { [choice.name]: r.value };
  const reason = completion.trim() === '' ? 'the output is empty' : r.reason;
  throw parseFailure(signature, new Map([[choice.name, reason]]), `Expected a bare choice, got ${quote(completion)}`);
}
