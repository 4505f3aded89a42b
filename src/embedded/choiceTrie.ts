import { SPECIAL } from './tokenizer';

/**
 * Byte trie over the allowed completions of a guided-choice request. Each
 * decode step masks the vocabulary to the children of the current node (plus
 * end-of-turn where a whole choice has been spelled), so the output is one of
 * the choices from the first token on, with no retry or post-hoc repair.
 */
export class ChoiceTrie {
  private readonly children: Map<number, number>[] = [new Map()];
  private readonly terminal: boolean[] = [false];
  readonly longest: number;

  constructor(choices: string[]) {
    if (!Array.isArray(choices) || choices.length === 0) {
      throw new Error('guidedChoice must be a non-empty array of strings (the allowed completions).');
    }
    const enc = new TextEncoder();
    let longest = 0;
    choices.forEach((choice, i) => {
      if (typeof choice !== 'string') throw new Error(`guidedChoice[${i}] must be a string, got ${typeof choice}.`);
      const bytes = enc.encode(choice);
      longest = Math.max(longest, bytes.length);
      let node = 0;
      for (const b of bytes) {
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
    });
    this.longest = longest;
  }

  static readonly ROOT = 0;

  /** Token ids allowed after reaching `node`. */
  allowed(node: number): number[] {
    const ids = [...this.children[node].keys()];
    if (this.terminal[node]) ids.push(SPECIAL.endOfTurn);
    return ids;
  }

  /** Node after consuming byte token `id` (-1 if it leaves the trie, or for end-of-turn). */
  step(node: number, id: number): number {
    return this.children[node].get(id) ?? -1;
  }
}
