import type { Token, TokenBias } from 'node-llama-cpp';
import { ByteTrie } from '../choiceTrie';
import type { LoadedModel } from './llamaRuntime';

/**
 * guided_choice on the local backend without a grammar: a trie over each
 * choice's canonical tokens, and at every step a logit bias that lifts the
 * tokens continuing some choice (and end-of-generation where a whole choice
 * is spelled) far above the rest. llama.cpp's grammar sampler costs about
 * 15 ms per token on two cores each time the model's own pick is off-grammar
 * (it then scans the whole vocabulary); a bias of a few tokens costs nothing.
 *
 * Only canonical spellings are allowed (the grammar also accepts a choice
 * split into odd pieces), which is how the model saw these words in training.
 * A bias is not a mask: should a sample still escape, the caller falls back
 * to the grammar (`ChoiceEscaped`).
 */

/** Far beyond any logit gap a model produces, so off-choice tokens keep ~e^-60 of the mass. */
const LIFT = 60;

export class TokenChoiceTrie extends ByteTrie {
  /** `lift` is the logit added to allowed tokens (a test lowers it to make samples escape). */
  constructor(
    choices: readonly string[],
    tokenize: (text: string) => Token[],
    readonly lift = LIFT,
  ) {
    super();
    for (const choice of choices) this.insert(tokenize(choice));
  }

  /** A node no choice continues from: the choice is complete, nothing to sample. */
  isLeaf(node: number): boolean {
    return this.continuations(node).length === 0;
  }
}

export class ChoiceEscaped extends Error {
  constructor() {
    super('A sampled token left the guided choices despite the logit bias.');
  }
}

/** The bias for the step after reaching `node`. */
export function choiceBias(m: LoadedModel, trie: TokenChoiceTrie, node: number): TokenBias {
  const bias = m.lib.TokenBias.for(m.model);
  for (const token of trie.continuations(node)) bias.set(token as Token, { logit: trie.lift });
  if (trie.isTerminal(node)) for (const token of endTokens(m)) bias.set(token, { logit: trie.lift });
  return bias;
}

function endTokens(m: LoadedModel): Token[] {
  const { eos, eot } = m.model.tokens;
  return [eos, eot].filter((t): t is Token => t !== null);
}

export function choiceTrieFor(m: LoadedModel, choices: readonly string[]): TokenChoiceTrie {
  return new TokenChoiceTrie(choices, (text) => m.model.tokenize(text));
}
