import { strict as assert } from 'node:assert';
import type { Token } from 'node-llama-cpp';
import { ByteTrie } from '../../../src/embedded/choiceTrie';
import { TokenChoiceTrie } from '../../../src/embedded/local/choiceTokens';

// A toy tokenizer: one token per word piece split at '_', ids from a fixed table.
const ids: Record<string, number> = { card: 10, _: 11, arrival: 12, cards: 13, top: 14, up: 15 };
const tokenize = (text: string): Token[] => text.split(/(_)/).filter(Boolean).map((p) => ids[p] as Token);

describe('TokenChoiceTrie (guided_choice by logit bias on the local backend)', () => {
  const trie = new TokenChoiceTrie(['card', 'card_arrival', 'cards', 'top_up'], tokenize);
  const walk = (tokens: number[]) => tokens.reduce((n, t) => (n < 0 ? n : trie.next(n, t)), ByteTrie.ROOT);

  it('offers the first token of every choice at the root, and nothing ends there', () => {
    assert.deepEqual(trie.continuations(ByteTrie.ROOT).sort(), [10, 13, 14]);
    assert.equal(trie.isTerminal(ByteTrie.ROOT), false);
  });

  it('a choice that is a prefix of another is complete but not a leaf: end-of-generation or more', () => {
    const card = walk([10]);
    assert.equal(trie.isTerminal(card), true);
    assert.equal(trie.isLeaf(card), false);
    assert.deepEqual(trie.continuations(card), [11]);
  });

  it('a leaf ends the choice; a token off every choice leaves the trie', () => {
    assert.equal(trie.isLeaf(walk([10, 11, 12])), true);
    assert.equal(trie.isTerminal(walk([10, 11, 12])), true);
    assert.equal(trie.isTerminal(walk([14, 11])), false);
    assert.equal(walk([10, 12]), -1);
    assert.equal(walk([12]), -1);
  });

  it('lifts choice tokens by a margin no logit gap closes, unless told otherwise', () => {
    assert.ok(trie.lift >= 40, String(trie.lift));
    assert.equal(new TokenChoiceTrie(['card'], tokenize, -5).lift, -5);
  });
});
