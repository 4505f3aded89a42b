import type { LlamaGrammar } from 'node-llama-cpp';
import type { GenerateRequest } from '../backend';
import type { LoadedModel } from './llamaRuntime';

/**
 * llama.cpp grammars (GBNF) for the request's constraint: guided_choice
 * becomes an alternation of literals, response_format a JSON grammar.
 * Building a grammar parses it natively, so each distinct one is built once
 * (a module's choices or schema repeat on every call).
 */

const MAX_CACHED = 64;

/** A GBNF string literal; every non-printable or non-ASCII char is escaped so the grammar text stays plain ASCII. */
export function gbnfLiteral(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

export function choiceGrammarText(choices: readonly string[]): string {
  return `root ::= ${choices.map(gbnfLiteral).join(' | ')}`;
}

export class GrammarCache {
  private readonly cache = new Map<string, Promise<LlamaGrammar>>();

  constructor(private readonly m: LoadedModel) {}

  /** The grammar constraining this request, or undefined when it is unconstrained. */
  forRequest(request: GenerateRequest): Promise<LlamaGrammar> | undefined {
    if (request.guidedChoice) {
      const text = choiceGrammarText(request.guidedChoice);
      return this.get(`choice:${text}`, () => this.m.llama.createGrammar({ grammar: text }));
    }
    const format = request.responseFormat;
    if (!format) return undefined;
    if (format.type === 'json_object') return this.get('json_object', () => this.m.llama.getGrammarFor('json'));
    const schema = format.schema;
    // The schema was checked against the supported subset by the server; node-llama-cpp's own type is narrower than JSON.
    return this.get(`schema:${JSON.stringify(schema)}`, () => this.m.llama.createGrammarForJsonSchema(schema as never));
  }

  private get(key: string, build: () => Promise<LlamaGrammar>): Promise<LlamaGrammar> {
    let grammar = this.cache.get(key);
    if (!grammar) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      grammar = build();
      // A grammar that failed to build is not kept: the same request would fail the same way, but not forever.
      grammar.catch(() => this.cache.delete(key));
      this.cache.set(key, grammar);
    }
    return grammar;
  }
}
