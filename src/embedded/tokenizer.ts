/**
 * Byte-level tokenizer: 256 byte tokens + role/control specials.
 *
 * Why bytes and not a BPE trained on task text: (1) tokenization is unique, so
 * the tokens the sampler produced are exactly the tokens the trainer re-derives
 * from the completion string, and per-token logprobs line up one to one (a BPE
 * can sample non-canonical splits that re-tokenize differently); (2) the
 * guided-choice trie is a plain byte trie; (3) a fresh model needs no corpus
 * at creation time and works for any task the user brings; (4) special tokens
 * can never be spelled by user text. The price is ~3-4x longer sequences,
 * handled by left-truncating long prompts (see chatTemplate.ts).
 */
export const SPECIAL = {
  system: 256,
  user: 257,
  assistant: 258,
  endOfTurn: 259,
  pad: 260,
} as const;

const SPECIAL_NAMES: Record<number, string> = {
  256: '<|system|>',
  257: '<|user|>',
  258: '<|assistant|>',
  259: '<|end|>',
  260: '<|pad|>',
};

export const BYTE_VOCAB_SIZE = 261;

export interface TokenizerJson {
  kind: 'byte';
  vocabSize: number;
  specials: Record<string, number>;
}

export class ByteTokenizer {
  readonly vocabSize = BYTE_VOCAB_SIZE;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8');

  encode(text: string): number[] {
    return Array.from(this.encoder.encode(text));
  }

  encodeBytes(text: string): Uint8Array {
    return this.encoder.encode(text);
  }

  /** Decodes byte tokens to text; special tokens are skipped, invalid UTF-8 becomes U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    const bytes: number[] = [];
    for (let i = 0; i < ids.length; i++) if (ids[i] < 256) bytes.push(ids[i]);
    return this.decoder.decode(new Uint8Array(bytes));
  }

  /** Display form of one token (sentencepiece-style `<0xNN>` for bytes that are not printable ASCII). */
  tokenText(id: number): string {
    if (id >= 256) return SPECIAL_NAMES[id] ?? `<|${id}|>`;
    if ((id >= 32 && id < 127) || id === 10 || id === 9) return String.fromCharCode(id);
    return `<0x${id.toString(16).toUpperCase().padStart(2, '0')}>`;
  }

  toJSON(): TokenizerJson {
    return { kind: 'byte', vocabSize: this.vocabSize, specials: { ...SPECIAL } };
  }

  static fromJSON(json: unknown): ByteTokenizer {
    const j = json as Partial<TokenizerJson> | undefined;
    if (!j || j.kind !== 'byte' || j.vocabSize !== BYTE_VOCAB_SIZE) {
      throw new Error(`Unsupported tokenizer file (expected {"kind":"byte","vocabSize":${BYTE_VOCAB_SIZE}}); the checkpoint was written by an incompatible version.`);
    }
    return new ByteTokenizer();
  }
}
