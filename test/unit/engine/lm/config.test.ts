import { strict as assert } from 'node:assert';
import { createLM, lmConfigFromEnv, resolveLMConfig } from '../../../../src/engine/lm';

describe('LM config', () => {
  it('fills defaults and trims the trailing slash', () => {
    const c = resolveLMConfig({ baseUrl: 'http://127.0.0.1:8000/v1/', model: 'm' });
    assert.equal(c.baseUrl, 'http://127.0.0.1:8000/v1');
    assert.equal(c.maxConcurrency, 8);
    assert.equal(c.maxRetries, 4);
    assert.equal(c.timeoutMs, 60000);
    const lm = createLM({ baseUrl: 'http://127.0.0.1:8000/v1', model: 'm', maxConcurrency: 3 });
    assert.equal(lm.model, 'm');
    assert.equal(lm.limiter.maxConcurrency, 3);
  });

  it('rejects bad values with messages that say how to fix them', () => {
    assert.throws(() => resolveLMConfig({ baseUrl: 'localhost:8000', model: 'm' }), /--base-url or MMGRPO_BASE_URL/);
    assert.throws(() => resolveLMConfig({ baseUrl: 'http://h/v1', model: ' ' }), /--model or MMGRPO_MODEL/);
    assert.throws(() => resolveLMConfig({ baseUrl: 'http://h/v1', model: 'm', maxRetries: -1 }), /maxRetries must be a whole number >= 0/);
    assert.throws(() => resolveLMConfig({ baseUrl: 'http://h/v1', model: 'm', transport: 'curl' as never }), /transport must be "http" or "fetch", got "curl"/);
  });

  it('takes the HTTP transport from the config, else MMGRPO_HTTP_TRANSPORT, else node:http', () => {
    const saved = process.env.MMGRPO_HTTP_TRANSPORT;
    try {
      delete process.env.MMGRPO_HTTP_TRANSPORT;
      assert.equal(resolveLMConfig({ baseUrl: 'http://h/v1', model: 'm' }).transport, undefined, 'unset means the default, http');
      process.env.MMGRPO_HTTP_TRANSPORT = 'fetch';
      assert.equal(resolveLMConfig({ baseUrl: 'http://h/v1', model: 'm' }).transport, 'fetch');
      assert.equal(resolveLMConfig({ baseUrl: 'http://h/v1', model: 'm', transport: 'http' }).transport, 'http');
      process.env.MMGRPO_HTTP_TRANSPORT = 'undici';
      assert.throws(() => resolveLMConfig({ baseUrl: 'http://h/v1', model: 'm' }), /MMGRPO_HTTP_TRANSPORT/);
    } finally {
      if (saved === undefined) delete process.env.MMGRPO_HTTP_TRANSPORT;
      else process.env.MMGRPO_HTTP_TRANSPORT = saved;
    }
  });

  it('reads MMGRPO_* with OPENAI_* fallbacks', () => {
    assert.deepEqual(lmConfigFromEnv({ OPENAI_BASE_URL: 'http://o/v1', OPENAI_API_KEY: 'k1', MMGRPO_MODEL: 'm' }), {
      baseUrl: 'http://o/v1',
      model: 'm',
      apiKey: 'k1',
    });
    const both = lmConfigFromEnv({ MMGRPO_BASE_URL: 'http://a/v1', OPENAI_BASE_URL: 'http://o/v1', MMGRPO_API_KEY: 'k2', OPENAI_API_KEY: 'k1' });
    assert.equal(both.baseUrl, 'http://a/v1');
    assert.equal(both.apiKey, 'k2');
    assert.deepEqual(lmConfigFromEnv({}), {});
    assert.throws(() => lmConfigFromEnv({ MMGRPO_MAX_CONCURRENCY: 'lots' }), /MMGRPO_MAX_CONCURRENCY/);
  });
});
