import { strict as assert } from 'node:assert';
import { promptText } from '../../../../src/extension/commands/promptText';

describe('prompt diff documents', () => {
  it('give both sides the same headings, so a side without demos still lines up', () => {
    const before = promptText({ instructions: 'Classify.', demos: [] }, 'missing');
    const after = promptText({ instructions: 'Pick one label.', demos: [{ utterance: 'hi', intent: 'greet' }] }, 'missing');
    assert.equal(before, '## Instructions\n\nClassify.\n\n## Demos (0)\n\n(none)\n');
    assert.match(after, /^## Instructions\n\nPick one label\.\n\n## Demos \(1\)\n\n\[\n {2}\{\n {4}"utterance": "hi",/);
    assert.equal(promptText(undefined, '(no after prompt recorded for m)'), '(no after prompt recorded for m)\n');
  });
});
