import type { ChatMessage } from '../../protocol/lm';
import type { FieldSpec, LiteralValue } from '../program/fieldTypes';
import type { Signature } from '../program/signature';
import { coerceText, quote, renderValue } from './coerce';
import { COMPLETED, describeFields, hasAnyField, instructionsBlock, marker, renderSections, typeHint } from './promptParts';
import { AdapterParseError, allFieldsFailed, parseFailure } from './errors';
import { JSONAdapter } from './jsonAdapter';
import type { Adapter, FormatInput, FormattedPrompt } from './types';

export interface ChatAdapterOptions {
  /**
   * For signatures with exactly one literal output: ask for the bare value and
   * send `guided_choice` so servers that support it (vLLM) constrain decoding.
   */
  guidedChoice?: boolean;
  /**
   * For every other signature: ask for the outputs as one JSON object and send
   * its JSON Schema as `response_format`, for servers that enforce it by
   * constrained decoding (the answer then parses by construction, where a small
   * model often breaks the marker format).
   */
  structuredOutputs?: boolean;
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

/** Prompt text that depends only on the signature (and instructions), rendered once. */
interface RenderedParts {
  /** System messages by instructions, marker mode and choice mode. */
  marker: Map<string, string>;
  choice: Map<string, string>;
  reminder?: string;
}

// Signatures are immutable, so rendered parts stay valid for the signature's life. Keyed by
// the instructions string itself (not a derived key) so lookups reuse its cached hash.
const RENDERED = new WeakMap<Signature, RenderedParts>();

function renderedParts(signature: Signature): RenderedParts {
  let parts = RENDERED.get(signature);
  if (!parts) RENDERED.set(signature, (parts = { marker: new Map(), choice: new Map() }));
  return parts;
}

/** Renders fields between `[[ ## name ## ]]` markers; the format DSPy popularised. */
export class ChatAdapter implements Adapter {
  private readonly json?: JSONAdapter;

  constructor(readonly options: ChatAdapterOptions = {}) {
    if (options.structuredOutputs) this.json = new JSONAdapter({ structuredOutputs: true });
  }

  private choiceFor(signature: Signature): ReturnType<typeof choiceField> {
    return this.options.guidedChoice ? choiceField(signature) : undefined;
  }

  format(input: FormatInput): FormattedPrompt {
    const { signature } = input;
    const choice = this.choiceFor(signature);
    if (!choice && this.json) return { ...this.json.format(input), jsonMode: true };
    const messages: ChatMessage[] = [{ role: 'system', content: this.systemMessage(signature, input.instructions, choice !== undefined) }];
    for (const demo of input.demos) {
      if (!hasAnyField(signature.outputFields, demo)) continue;
      messages.push({ role: 'user', content: renderSections(signature.inputFields, demo) || '(no inputs given for this example)' });
      messages.push({ role: 'assistant', content: choice ? renderValue(choice.type, demo[choice.name]) : formatAnswer(signature, demo) });
    }
    const reminder = choice ? choiceReminder(choice) : cachedMarkerReminder(signature);
    messages.push({ role: 'user', content: `${renderSections(signature.inputFields, input.inputs)}\n\n${reminder}` });
    if (!choice) return { messages };
    return { messages, extraBody: { guided_choice: choice.type.values.map(String) }, choiceMode: true };
  }

  formatAnswer(signature: Signature, outputs: Record<string, unknown>): string {
    const choice = this.choiceFor(signature);
    if (!choice && this.json) return this.json.formatAnswer(signature, outputs);
    return choice ? renderValue(choice.type, outputs[choice.name]) : formatAnswer(signature, outputs);
  }

  /** The system message is the same for every call of a module: built once per (signature, instructions, mode). */
  private systemMessage(signature: Signature, instructions: string, choiceMode: boolean): string {
    const parts = renderedParts(signature);
    const byInstructions = choiceMode ? parts.choice : parts.marker;
    let text = byInstructions.get(instructions);
    if (text === undefined) {
      const format = choiceMode ? choiceFormat(signature) : markerFormat(signature);
      text = [describeFields(signature), format, instructionsBlock(instructions)].join('\n\n');
      if (byInstructions.size > 64) byInstructions.clear(); // prompt search tries many instructions: keep the cache small
      byInstructions.set(instructions, text);
    }
    return text;
  }

  parse(signature: Signature, completion: string, prompt?: FormattedPrompt): Record<string, unknown> {
    try {
      const choice = prompt ? (prompt.choiceMode ? choiceField(signature) : undefined) : this.choiceFor(signature);
      if (choice && !MARKER.test(completion)) return parseBare(signature, choice, completion);
      const jsonMode = prompt ? prompt.jsonMode === true : !choice && this.json !== undefined;
      if (jsonMode) return (this.json ?? new JSONAdapter()).parse(signature, completion);
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

function cachedMarkerReminder(signature: Signature): string {
  const parts = renderedParts(signature);
  return (parts.reminder ??= markerReminder(signature));
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
export function splitSections(completion: string): Map<string, string> {
  // A hand scan equal to matching MARKER globally: this runs on every LM answer, and
  // indexOf plus a few char checks costs less than regex match objects.
  const sections = new Map<string, string>();
  let name: string | undefined;
  let start = 0;
  for (let at = completion.indexOf('[[', 0); at !== -1; ) {
    const hit = markerAt(completion, at);
    if (hit === undefined) {
      at = completion.indexOf('[[', at + 1);
      continue;
    }
    if (name !== undefined && !sections.has(name)) sections.set(name, completion.slice(start, at));
    name = hit.name;
    start = hit.end;
    at = completion.indexOf('[[', hit.end);
  }
  if (name !== undefined && !sections.has(name)) sections.set(name, completion.slice(start));
  return sections;
}

/** The marker `[[ ## name ## ]]` (any whitespace as `\s*`) starting exactly at `at`, if there is one. */
function markerAt(text: string, at: number): { name: string; end: number } | undefined {
  let i = skipSpace(text, at + 2);
  if (text.charCodeAt(i) !== HASH || text.charCodeAt(i + 1) !== HASH) return undefined;
  i = skipSpace(text, i + 2);
  const nameStart = i;
  while (i < text.length && isWordChar(text.charCodeAt(i))) i++;
  if (i === nameStart) return undefined;
  const name = text.slice(nameStart, i);
  i = skipSpace(text, i);
  if (text.charCodeAt(i) !== HASH || text.charCodeAt(i + 1) !== HASH) return undefined;
  i = skipSpace(text, i + 2);
  if (text.charCodeAt(i) !== CLOSE || text.charCodeAt(i + 1) !== CLOSE) return undefined;
  return { name, end: i + 2 };
}

const HASH = 0x23;
const CLOSE = 0x5d;
const SPACE = /\s/;

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Same set as the regex `\s`; ASCII decided inline, the rare rest by the regex itself. */
function isSpace(c: number): boolean {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  return c >= 0xa0 && SPACE.test(String.fromCharCode(c));
}

/** Same set as the regex `\w`. */
function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
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
