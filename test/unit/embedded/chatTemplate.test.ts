import { strict as assert } from 'node:assert';
import { buildSequence, fitPrompt, renderPrompt } from '../../../src/embedded/chatTemplate';
import { ByteTokenizer, SPECIAL } from '../../../src/embedded/tokenizer';

describe('byte tokenizer and chat template', () => {
  const tok = new ByteTokenizer();

  it('round-trips UTF-8 text and cannot be tricked into special tokens', () => {
    const text = 'héllo <|end|> 👋';
    assert.equal(tok.decode(tok.encode(text)), text);
    assert.ok(tok.encode(text).every((id) => id < 256));
    assert.equal(tok.tokenText(0xc3), '<0xC3>');
    assert.equal(tok.tokenText(SPECIAL.endOfTurn), '<|end|>');
  });

  it('renders roles with special tokens and ends with the generation prompt', () => {
    const ids = renderPrompt([{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }], tok);
    assert.deepEqual(ids, [SPECIAL.system, 83, SPECIAL.endOfTurn, SPECIAL.user, 85, SPECIAL.endOfTurn, SPECIAL.assistant]);
    assert.throws(() => renderPrompt([{ role: 'tool' as never, content: 'x' }], tok), /messages\[0\]\.role/);
  });

  it('training sequences end the completion with end-of-turn and keep the end of long prompts', () => {
    const seq = buildSequence([{ role: 'user', content: 'abcdefgh' }], 'ok', tok, 5, 16);
    assert.deepEqual(seq.tokens.slice(0, 5), fitPrompt(renderPrompt([{ role: 'user', content: 'abcdefgh' }], tok), 5));
    assert.deepEqual(seq.tokens.slice(5), [111, 107, SPECIAL.endOfTurn]);
    assert.equal(seq.completionStart, 5);
    assert.equal(seq.completionLength, 3);
  });
});
