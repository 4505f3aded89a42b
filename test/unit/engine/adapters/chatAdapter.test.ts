import { strict as assert } from 'node:assert';
import { ChatAdapter, formatAnswer, splitSections } from '../../../../src/engine/adapters/chatAdapter';
import { seededRandom } from '../../../../src/engine/util/rng';
import { AdapterParseError } from '../../../../src/engine/adapters/errors';
import { Signature } from '../../../../src/engine/program/signature';

const sig = Signature.from({
  inputs: { question: { type: 'string', desc: 'what the user asks' }, context: { type: { kind: 'list', items: { kind: 'string' } } } },
  outputs: { answer: 'string', confidence: 'number', category: { type: { kind: 'literal', values: ['card', 'transfer'] } } },
});

function parseError(fn: () => unknown): AdapterParseError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AdapterParseError, `expected AdapterParseError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a parse error');
}

describe('ChatAdapter.format', () => {
  const adapter = new ChatAdapter();
  const prompt = adapter.format({
    signature: sig,
    instructions: 'Answer briefly.',
    demos: [
      { question: 'q1', context: ['c1'], answer: 'a1', confidence: 0.5, category: 'card' },
      { question: 'q2', answer: 'a2' },
      { question: 'no outputs here' },
    ],
    inputs: { question: 'Why?', context: ['x', 'y'] },
  });

  it('describes fields, types, literal values, format and instructions in the system message', () => {
    const sys = prompt.messages[0];
    assert.equal(sys.role, 'system');
    assert.match(sys.content, /1\. `question` \(str\): what the user asks/);
    assert.match(sys.content, /2\. `context` \(list\[str\]\)/);
    assert.match(sys.content, /`category` \(Literal\['card', 'transfer'\]\)/);
    assert.match(sys.content, /\[\[ ## answer ## \]\][\s\S]*\[\[ ## confidence ## \]\][\s\S]*\[\[ ## category ## \]\][\s\S]*\[\[ ## completed ## \]\]/);
    assert.match(sys.content, /exactly one of: 'card', 'transfer'/);
    assert.match(sys.content, /Answer briefly\.$/);
    assert.equal(prompt.extraBody, undefined);
    assert.equal(prompt.choiceMode, undefined);
  });

  it('renders demos as user/assistant pairs, partial demos as far as they go, and skips demos without outputs', () => {
    const roles = prompt.messages.map((m) => m.role);
    assert.deepEqual(roles, ['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    assert.equal(prompt.messages[1].content, '[[ ## question ## ]]\nq1\n\n[[ ## context ## ]]\n["c1"]');
    assert.equal(
      prompt.messages[2].content,
      '[[ ## answer ## ]]\na1\n\n[[ ## confidence ## ]]\n0.5\n\n[[ ## category ## ]]\ncard\n\n[[ ## completed ## ]]',
    );
    assert.equal(prompt.messages[3].content, '[[ ## question ## ]]\nq2');
    assert.equal(prompt.messages[4].content, '[[ ## answer ## ]]\na2\n\n[[ ## completed ## ]]');
  });

  it('ends with the inputs and a reminder of the output markers', () => {
    const last = prompt.messages[prompt.messages.length - 1].content;
    assert.ok(last.startsWith('[[ ## question ## ]]\nWhy?\n\n[[ ## context ## ]]\n["x","y"]\n\n'), last);
    assert.match(last, /`\[\[ ## answer ## \]\]`.*then `\[\[ ## confidence ## \]\]`.*`\[\[ ## completed ## \]\]`/);
  });
});

describe('ChatAdapter.parse', () => {
  const adapter = new ChatAdapter();

  it('parses markers, takes the first occurrence, trims and coerces', () => {
    const text = 'Sure.\n[[ ## answer ## ]]\n  Because.  \n[[ ## confidence ## ]]\n0.8\n[[ ## category ## ]]\nTransfer\n[[ ## answer ## ]]\nignored\n[[ ## completed ## ]]\ntrailing';
    assert.deepEqual(adapter.parse(sig, text), { answer: 'Because.', confidence: 0.8, category: 'transfer' });
  });

  it('tolerates marker spacing', () => {
    const text = '[[## answer ##]] a [[ ##confidence## ]] 1 [[  ## category ##  ]] card';
    assert.deepEqual(adapter.parse(sig, text), { answer: 'a', confidence: 1, category: 'card' });
  });

  it('reports which fields parsed and why the others did not', () => {
    const e = parseError(() => adapter.parse(sig, '[[ ## answer ## ]]\nok\n[[ ## category ## ]]\nblue\n[[ ## completed ## ]]'));
    assert.deepEqual(e.info.parsedFields, ['answer']);
    assert.deepEqual(e.info.missingFields, ['confidence', 'category']);
    assert.equal(e.info.fractionParsed, 1 / 3);
    assert.match(e.message, /Parsed fields: "answer"/);
    assert.match(e.message, /field "confidence": no \[\[ ## confidence ## \]\] marker in the output/);
    assert.match(e.message, /field "category": "blue" is not one of 'card', 'transfer'/);
    assert.equal(e.info.message, e.message);
  });

  it('fails every field on text without markers', () => {
    const e = parseError(() => adapter.parse(sig, 'The answer is 42.'));
    assert.equal(e.info.fractionParsed, 0);
    assert.deepEqual(e.info.parsedFields, []);
  });

  it('formatAnswer output parses back', () => {
    const outputs = { answer: 'multi\nline', confidence: 0.25, category: 'card' };
    assert.deepEqual(adapter.parse(sig, formatAnswer(sig, outputs)), outputs);
  });
});

describe('ChatAdapter choice mode', () => {
  const choiceSig = Signature.parse("utterance -> category: Literal['card', 'transfer', 7]");
  const adapter = new ChatAdapter({ guidedChoice: true });

  it('adds guided_choice and expects bare values, also in demos', () => {
    const p = adapter.format({ signature: choiceSig, instructions: 'Classify.', demos: [{ utterance: 'lost card', category: 'card' }], inputs: { utterance: 'send money' } });
    assert.deepEqual(p.extraBody, { guided_choice: ['card', 'transfer', '7'] });
    assert.equal(p.choiceMode, true);
    assert.equal(p.messages[2].role, 'assistant');
    assert.equal(p.messages[2].content, 'card');
    assert.match(p.messages[0].content, /reply with only the value of `category`/);
    assert.doesNotMatch(p.messages[0].content, /\[\[ ## completed ## \]\]/);
    assert.match(p.messages[3].content, /Respond with only the value of `category`/);
    assert.equal(adapter.formatAnswer(choiceSig, { category: 7 }), '7');
  });

  it('parses bare values and still accepts markers', () => {
    const p = adapter.format({ signature: choiceSig, instructions: 'x', demos: [], inputs: { utterance: 'u' } });
    assert.deepEqual(adapter.parse(choiceSig, ' transfer\n', p), { category: 'transfer' });
    assert.deepEqual(adapter.parse(choiceSig, '7', p), { category: 7 });
    assert.deepEqual(adapter.parse(choiceSig, '[[ ## category ## ]]\ncard\n[[ ## completed ## ]]', p), { category: 'card' });
    assert.deepEqual(adapter.parse(choiceSig, 'Card'), { category: 'card' });
    const e = parseError(() => adapter.parse(choiceSig, 'savings', p));
    assert.deepEqual(e.info.missingFields, ['category']);
    assert.match(e.message, /"savings" is not one of 'card', 'transfer', 7/);
  });

  it('is off for signatures that are not a single literal output, and without the option', () => {
    const two = Signature.parse("u -> reasoning, category: Literal['a', 'b']");
    const p = adapter.format({ signature: two, instructions: 'x', demos: [], inputs: { u: '1' } });
    assert.equal(p.choiceMode, undefined);
    assert.equal(p.extraBody, undefined);
    const plain = new ChatAdapter().format({ signature: choiceSig, instructions: 'x', demos: [], inputs: { utterance: 'u' } });
    assert.equal(plain.choiceMode, undefined);
    assert.throws(() => new ChatAdapter().parse(choiceSig, 'card'), AdapterParseError);
  });
});

describe('splitSections', () => {
  // Reference: the regex form the hand scanner replaced (first marker of each name wins).
  function byRegex(text: string): Map<string, string> {
    const hits = [...text.matchAll(/\[\[\s*##\s*(\w+)\s*##\s*\]\]/g)];
    const out = new Map<string, string>();
    hits.forEach((m, i) => {
      const start = (m.index ?? 0) + m[0].length;
      const end = i + 1 < hits.length ? (hits[i + 1].index ?? text.length) : text.length;
      if (!out.has(m[1])) out.set(m[1], text.slice(start, end));
    });
    return out;
  }

  it('finds the same sections as the marker regex on marker soup', () => {
    const atoms = ['[', ']', '[[', ']]', '#', '##', ' ', '\n', '\t', '\u00a0', '\u2003', '\ufeff', '\u200b', 'a', 'plan', '_x1', 'é', '-',
      '[[ ## a ## ]]', '[[##b##]]', '[[ ## plan ## ]]', '[[[ ## a ## ]]]', 'text'];
    const rng = seededRandom(11);
    for (let n = 0; n < 5000; n++) {
      let text = '';
      const len = Math.floor(rng() * 14);
      for (let i = 0; i < len; i++) text += atoms[Math.floor(rng() * atoms.length)];
      assert.deepEqual([...splitSections(text)], [...byRegex(text)], JSON.stringify(text));
    }
  });

  it('keeps the first section of a repeated name and runs the last one to the end', () => {
    const text = 'x[[ ## a ## ]] one [[ ## b ##]]two\n[[## a ## ]] again';
    assert.deepEqual([...splitSections(text)], [['a', ' one '], ['b', 'two\n']]);
  });
});

