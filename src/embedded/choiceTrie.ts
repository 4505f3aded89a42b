import { SPECIAL } from './tokenizer';

/**
 * Byte trie over the allowed completions of a guided-choice request. Each
 * decode step masks the vocabulary to the children of the current node (plus
 * end-of-turn where a whole choice has been spelled), so the output is one of
 * the choices from the first token on, with no retry or post-hoc repair.
 */
/**
 * A trie over strings of integer symbols (bytes here, token ids on the local
 * backend): node 0 is the root; `terminal` marks where a whole string ends.
 */
export class ByteTrie {
  protected readonly children: Map<number, number>[] = [new Map()];
  protected readonly terminal: boolean[] = [false];

  static readonly ROOT = 0;

  protected insert(symbols: Iterable<number>): void {
    let node = 0;
    for (const b of symbols) {
      let next = this.children[node].get(b);
      if (next === undefined) {
        next = this.children.length;
        this.children.push(new Map());
        this.terminal.push(false);
        this.children[node].set(b, next);
      }
      node = next;
    }
    this.terminal[node] = true;
  }

  isTerminal(node: number): boolean {
    return this.terminal[node];
  }

  /** Symbols that continue some string from `node`. */
  continuations(node: number): number[] {
    return [...this.children[node].keys()];
  }

  /** Node after symbol `b` (-1 if no string continues that way). */
  next(node: number, b: number): number {
    return this.children[node].get(b) ?? -1;
  }
}

/**
 * Byte trie over the allowed completions of a guided-choice request. Each
 * decode step masks the vocabulary to the children of the current node (plus
 * end-of-turn where a whole choice has been spelled), so the output is one of
 * the choices from the first token on, with no retry or post-hoc repair.
 */
export class ChoiceTrie extends ByteTrie {
  readonly longest: number;

  constructor(choices: string[]) {
    super();
    if (!Array.isArray(choices) || choices.length === 0) {
      throw new Error('guidedChoice must be a non-empty array of strings (the allowed completions).');
    }
    const enc = new TextEncoder();
    let longest = 0;
    choices.forEach((choice, i) => {
      if (typeof choice !== 'string') throw new Error(`guidedChoice[${i}] must be a string, got ${typeof choice}.`);
      const bytes = enc.encode(choice);
      longest = Math.max(longest, bytes.length);
      this.insert(bytes);
    });
    this.longest = longest;
  }

  /** Token ids allowed after reaching `node`. */
  allowed(node: number): number[] {
    const ids = this.continuations(node);
    if (this.terminal[node]) ids.push(SPECIAL.endOfTurn);
    return ids;
  }

  /** Node after consuming byte token `id` (-1 if it leaves the trie, or for end-of-turn). */
  step(node: number, id: number): number {
    return this.next(node, id);
  }
}
