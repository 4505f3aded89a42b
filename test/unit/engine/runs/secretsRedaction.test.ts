import { strict as assert } from 'node:assert';
import { redactSecrets, scrubText } from '../../../../src/engine/runs/secrets';

// The two scrubbers that keep credentials out of run files and logs, checked
// key by key: a key pattern that is one character off either leaks a secret
// or hides a setting people need to see (issue 18, mutation testing).

const SECRET_KEYS = [
  'apiKey', 'api_key', 'api-key', 'APIKEY',
  'secret', 'clientSecret', 'client_secret_value', 'secret-x',
  'password', 'dbPassword', 'db_password',
  'authorization', 'Authorization', 'bearer',
  'token', '_token', 'accessToken', 'access_token', 'refresh-token', 'sessionToken', 'api_token', 'authToken', 'bearerToken',
];

const KEPT_KEYS = [
  'maxTokens', 'max_tokens', 'tokens', 'tokenizer', 'tokenBudget', 'idToken', 'numTokens',
  'apiKeyHint', 'keyApi', 'passwordless', 'passwordHint', 'authorizationUrl', 'bearerOnly', 'model', 'baseUrl',
];

describe('secret redaction: key by key', () => {
  for (const key of SECRET_KEYS) {
    it(`redacts ${key}`, () => {
      assert.deepEqual(redactSecrets({ [key]: 'sk-live-123456' }), { [key]: '[redacted]' });
    });
  }

  it('keeps settings whose names only look like credentials', () => {
    const config = Object.fromEntries(KEPT_KEYS.map((k, i) => [k, i]));
    assert.deepEqual(redactSecrets(config), config);
  });

  it('redacts any non-empty value under a secret key (numbers, objects), keeps empty ones', () => {
    assert.deepEqual(redactSecrets({ password: 1234, token: { id: 'x' }, apiKey: false }), {
      password: '[redacted]',
      token: '[redacted]',
      apiKey: '[redacted]',
    });
    assert.deepEqual(redactSecrets({ apiKey: '', token: null, password: undefined }), { apiKey: '', token: null, password: undefined });
  });

  it('walks nested objects and arrays and returns a copy', () => {
    const input = { trainer: { url: 'http://x', auth: [{ apiKey: 'k-12345' }, { name: 'n' }] }, n: 3, s: 'text', none: null };
    const out = redactSecrets(input);
    assert.deepEqual(out, { trainer: { url: 'http://x', auth: [{ apiKey: '[redacted]' }, { name: 'n' }] }, n: 3, s: 'text', none: null });
    assert.equal(input.trainer.auth[0].apiKey, 'k-12345', 'the input is not modified');
    assert.notEqual(out.trainer, input.trainer);
  });

  it('cuts cycles instead of recursing forever', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    assert.deepEqual(redactSecrets(a), { name: 'a', self: '[circular]' });
  });
});

describe('secret scrubbing in text', () => {
  it('replaces every occurrence of each known secret', () => {
    assert.equal(scrubText('key sk-abcd failed; retry with sk-abcd or tok-9999', ['sk-abcd', 'tok-9999']), 'key [redacted] failed; retry with [redacted] or [redacted]');
  });

  it('scrubs secrets of 4 characters or more; shorter or missing ones would blank ordinary words', () => {
    assert.equal(scrubText('pass abcd here', ['abcd']), 'pass [redacted] here');
    assert.equal(scrubText('a cat sat', ['cat', undefined, '']), 'a cat sat');
  });
});
