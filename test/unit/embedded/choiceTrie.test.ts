import { strict as assert } from 'node:assert';
import { ChoiceTrie } from '../../../src/embedded/choiceTrie';
import { SPECIAL } from '../../../src/embedded/tokenizer';

// The guided-choice mask step by step: which bytes may follow, where the
// answer may end, and what a bad choice list is told (issue 18).

const bytes = (s: string) => [...new TextEncoder().encode(s)];

/** Walks `text` byte by byte from the root; -1 once it leaves the trie. */
function walk(trie: ChoiceTrie, text: string): number {
  return bytes(text).reduce((node, b) => (node < 0 ? -1 : trie.step(node, b)), 0);
}

describe('guided choice trie', () => {
  const trie = new ChoiceTrie(['card', 'cards', 'cash', 'é']);

  it('allows exactly the bytes that continue some choice, and end-of-turn only after a whole one', () => {
    assert.deepEqual(trie.allowed(0).sort((a, b) => a - b), [bytes('c')[0], bytes('é')[0]]);
    assert.deepEqual(trie.allowed(walk(trie, 'ca')).sort(), bytes('rs').sort());
    assert.deepEqual(trie.allowed(walk(trie, 'card')).sort((a, b) => a - b), [bytes('s')[0], SPECIAL.endOfTurn]);
    assert.deepEqual(trie.allowed(walk(trie, 'cards')), [SPECIAL.endOfTurn]);
    assert.deepEqual(trie.allowed(walk(trie, 'é')), [SPECIAL.endOfTurn], 'a multi-byte choice ends after its last byte');
    assert.deepEqual(trie.allowed(walk(trie, 'car')), bytes('d'), 'no end inside a choice');
  });

  it('leaves the trie on a byte no choice continues with, and on end-of-turn', () => {
    assert.equal(walk(trie, 'cat'), -1);
    assert.equal(trie.step(walk(trie, 'card'), SPECIAL.endOfTurn), -1);
    assert.ok(trie.isTerminal(walk(trie, 'cash')));
    assert.equal(trie.isTerminal(walk(trie, 'cas')), false);
  });

  it('knows the longest choice in bytes (the token budget a guided answer needs)', () => {
    assert.equal(trie.longest, 5);
    assert.equal(new ChoiceTrie(['ééé', 'a']).longest, 6);
  });

  it('refuses an empty or non-array list and names a non-string entry', () => {
    assert.throws(() => new ChoiceTrie([]), /guidedChoice must be a non-empty array of strings/);
    assert.throws(() => new ChoiceTrie('card' as unknown as string[]), /non-empty array/);
    assert.throws(() => new ChoiceTrie(['a', 3 as unknown as string]), /guidedChoice\[1\] must be a string, got number/);
  });
});
