import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResponseCache, cacheKey, canonicalJson } from '../../../../src/engine/lm/cache';
import type { LMRequest } from '../../../../src/engine/lm/types';

const base: LMRequest = { messages: [{ role: 'user', content: 'hi' }], temperature: 0, max_tokens: 16, cache: true };
const answer = { model: 'm', choices: [{ text: 'yo', finishReason: 'stop' }], usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } };

describe('ResponseCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lmcache-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('keys on every request field but not on the cache flag or key order', () => {
    const k = cacheKey('http://h/v1', 'm', base);
    assert.match(k, /^[0-9a-f]{64}$/);
    assert.equal(cacheKey('http://h/v1', 'm', { ...base, cache: false }), k);
    assert.equal(cacheKey('http://h/v1', 'm', { max_tokens: 16, temperature: 0, messages: base.messages }), k);
    const variants: [string, string, LMRequest][] = [
      ['http://other/v1', 'm', base],
      ['http://h/v1', 'm2', base],
      ['http://h/v1', 'm', { ...base, temperature: 0.5 }],
      ['http://h/v1', 'm', { ...base, seed: 1 }],
      ['http://h/v1', 'm', { ...base, stop: ['\n'] }],
      ['http://h/v1', 'm', { ...base, extraBody: { guided_choice: ['a'] } }],
      ['http://h/v1', 'm', { ...base, messages: [{ role: 'user', content: 'hi!' }] }],
    ];
    const keys = new Set(variants.map(([u, m, r]) => cacheKey(u, m, r)));
    assert.equal(keys.size, variants.length);
    assert.ok(!keys.has(k));
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] }), '{"a":[{"d":2}],"b":1}');
  });

  it('round-trips an answer and leaves no temp files', async () => {
    const cache = new ResponseCache(dir);
    const k = cacheKey('http://h/v1', 'm', base);
    assert.equal(await cache.get(k), undefined);
    await cache.put(k, answer);
    assert.deepEqual(await cache.get(k), answer);
    const files = await fs.readdir(path.dirname(cache.fileFor(k)));
    assert.deepEqual(files, [`${k}.json`]);
  });

  it('treats corrupt or mismatched entries as misses', async () => {
    const cache = new ResponseCache(dir);
    const k = cacheKey('http://h/v1', 'm', base);
    await fs.mkdir(path.dirname(cache.fileFor(k)), { recursive: true });
    await fs.writeFile(cache.fileFor(k), '{"format":1,"key":');
    assert.equal(await cache.get(k), undefined);
    await fs.writeFile(cache.fileFor(k), JSON.stringify({ format: 1, key: 'other', ...answer }));
    assert.equal(await cache.get(k), undefined);
    await cache.put(k, answer);
    assert.deepEqual(await cache.get(k), answer);
  });
});
