import { strict as assert } from 'node:assert';
import {
  asArray,
  asObject,
  checkNumber,
  checkString,
  describe as describeValue,
  Fields,
  joinPath,
  readMessages,
} from '../../../../src/embedded/server/fields';
import { refused } from './httpHelpers';

// The server's field validation, accessor by accessor: every refusal is a 400
// naming the field by its path and saying what would be accepted, and every
// bound is inclusive or exclusive as documented (issue 18, mutation testing).

describe('server fields: values and paths', () => {
  it('describes a bad value so the sender recognizes it', () => {
    assert.equal(describeValue(null), 'null');
    assert.equal(describeValue([1]), 'an array');
    assert.equal(describeValue({}), 'an object');
    assert.equal(describeValue('abc'), 'the string "abc"');
    assert.equal(describeValue('x'.repeat(40)), `the string "${'x'.repeat(40)}"`);
    assert.equal(describeValue('x'.repeat(41)), `the string "${'x'.repeat(40)}…"`);
    assert.equal(describeValue(3), 'number 3');
    assert.equal(describeValue(undefined), 'undefined undefined');
  });

  it('joins paths as the client wrote them', () => {
    assert.equal(joinPath('', 'batch'), 'batch');
    assert.equal(joinPath('batch', 1), 'batch[1]');
    assert.equal(joinPath('batch[1]', 'reward'), 'batch[1].reward');
  });

  it('names the body itself, or the field, when an object or array is expected', () => {
    refused(() => asObject([], ''), undefined, /^The request body must be a JSON object, got an array\.$/);
    refused(() => asObject(null, 'a.b'), 'a.b', /^`a\.b` must be a JSON object, got null\.$/);
    refused(() => asObject('s', 'a'), 'a', /got the string "s"/);
    assert.deepEqual(asObject({ k: 1 }, ''), { k: 1 });
    refused(() => asArray({}, 'stop'), 'stop', /^`stop` must be an array, got an object\.$/);
    assert.deepEqual(asArray([], 'stop'), []);
  });
});

describe('server fields: numbers and strings', () => {
  it('accepts the bounds themselves for min and max, not for above', () => {
    const rule = { min: 0, max: 2 };
    assert.equal(checkNumber(0, 'x', rule), 0);
    assert.equal(checkNumber(2, 'x', rule), 2);
    refused(() => checkNumber(-0.1, 'x', rule), 'x', /^`x` must be a number >= 0 and <= 2, got number -0\.1\.$/);
    refused(() => checkNumber(2.1, 'x', rule), 'x', /<= 2/);
    assert.equal(checkNumber(0.5, 'x', { above: 0 }), 0.5);
    refused(() => checkNumber(0, 'x', { above: 0 }), 'x', /^`x` must be a number > 0, got number 0\.$/);
  });

  it('refuses non-numbers, non-finite numbers and, for integers, fractions and unsafe integers', () => {
    for (const v of ['1', NaN, Infinity, null]) refused(() => checkNumber(v, 'n'), 'n', /^`n` must be a number, got /);
    refused(() => checkNumber(1.5, 'n', { integer: true, min: 1 }), 'n', /^`n` must be an integer >= 1, got number 1\.5\.$/);
    refused(() => checkNumber(2 ** 53, 'n', { integer: true }), 'n', /an integer/);
    assert.equal(checkNumber(7, 'n', { integer: true }), 7);
    assert.equal(checkNumber(1.5, 'n'), 1.5);
  });

  it('refuses empty strings unless allowed, and says which', () => {
    refused(() => checkString('', 's'), 's', /^`s` must be a non-empty string, got the string ""\.$/);
    assert.equal(checkString('', 's', true), '');
    refused(() => checkString(3, 's', true), 's', /^`s` must be a string, got number 3\.$/);
  });
});

describe('server fields: object reader', () => {
  const f = new Fields({ a: 1, s: 'x', b: true, e: 'dapo', o: { k: 1 }, n: null }, 'cfg');

  it('rejects unknown keys, listing the allowed ones', () => {
    refused(() => f.allowOnly(['a', 's']), 'cfg.b', /^Unknown field `cfg\.b`\. Allowed fields here: a, s\.$/);
    assert.equal(new Fields({ a: 1 }, '').allowOnly(['a']).obj.a, 1);
  });

  it('treats null as absent and names missing required fields', () => {
    assert.equal(f.has('n'), false);
    assert.equal(f.has('a'), true);
    refused(() => f.required('n'), 'cfg.n', /^Missing required field `cfg\.n`\.$/);
    refused(() => f.string('zz'), 'cfg.zz', /Missing required field/);
    assert.equal(f.optString('n'), undefined);
    assert.equal(f.optNumber('n'), undefined);
    assert.equal(f.optBoolean('n'), undefined);
    assert.equal(f.optEnum('n', ['x']), undefined);
    assert.equal(f.optObject('n'), undefined);
  });

  it('reads each type, and names the path when the type is wrong', () => {
    assert.equal(f.string('s'), 'x');
    assert.equal(f.optString('s'), 'x');
    assert.equal(f.number('a', { min: 1 }), 1);
    refused(() => f.number('a', { min: 2 }), 'cfg.a', />= 2/);
    assert.equal(f.optNumber('a'), 1);
    refused(() => f.optNumber('s'), 'cfg.s', /must be a number/);
    assert.equal(f.optBoolean('b'), true);
    refused(() => f.optBoolean('a'), 'cfg.a', /^`cfg\.a` must be true or false, got number 1\.$/);
    assert.equal(f.optEnum('e', ['grpo', 'dapo']), 'dapo');
    refused(() => f.optEnum('e', ['grpo', 'bnpo']), 'cfg.e', /^`cfg\.e` must be one of grpo, bnpo, got the string "dapo"\.$/);
    refused(() => f.optEnum('a', ['1']), 'cfg.a', /must be one of 1, got number 1/);
    assert.equal(f.object('o').path, 'cfg.o');
    assert.equal(f.optObject('o')?.obj.k, 1);
    refused(() => f.object('a'), 'cfg.a', /must be a JSON object/);
  });
});

describe('server fields: chat messages', () => {
  it('reads roles, maps developer to system, joins text parts', () => {
    assert.deepEqual(
      readMessages(
        [
          { role: 'developer', content: 'be brief' },
          { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: '' }, { type: 'text', text: 'b' }], name: 'u' },
          { role: 'assistant', content: '' },
        ],
        'messages',
      ),
      [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'ab' }, { role: 'assistant', content: '' }],
    );
  });

  it('refuses an empty list, unknown roles and fields, non-text parts, with the path of each', () => {
    refused(() => readMessages([], 'messages'), 'messages', /must hold at least one message/);
    refused(() => readMessages('hi', 'messages'), 'messages', /must be an array/);
    refused(() => readMessages([{ content: 'x' }], 'messages'), 'messages[0].role', /^Missing required field `messages\[0\]\.role` \(system, developer, user or assistant\)\.$/);
    refused(() => readMessages([{ role: 'tool', content: 'x' }], 'messages'), 'messages[0].role', /must be one of system, developer, user, assistant/);
    refused(() => readMessages([{ role: 'user', content: 'x', tool_calls: [] }], 'messages'), 'messages[0].tool_calls', /Unknown field/);
    refused(() => readMessages([{ role: 'user' }], 'messages'), 'messages[0].content', /Missing required field/);
    refused(() => readMessages([{ role: 'user', content: 3 }], 'messages'), 'messages[0].content', /must be a string or a list of text parts, got number 3/);
    refused(
      () => readMessages([{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }], 'messages'),
      'messages[0].content[0].type',
      /^`messages\[0\]\.content\[0\]\.type` must be "text" \(this server takes text only\), got the string "image_url"\.$/,
    );
    refused(() => readMessages([{ role: 'user', content: [{ type: 'text', text: 'a', extra: 1 }] }], 'messages'), 'messages[0].content[0].extra', /Unknown field/);
    refused(() => readMessages([{ role: 'user', content: [{ type: 'text', text: 1 }] }], 'messages'), 'messages[0].content[0].text', /must be a string/);
    refused(() => readMessages([{ role: 'user', content: 'x', name: 5 }], 'messages'), 'messages[0].name', /non-empty string/);
  });
});
