import { strict as assert } from 'node:assert';
import OpenAI from 'openai';
import { startLocalProcess, type LocalProcess } from '../../../src/engine/backends/localProcess';
import { LOCAL_TEST_MODEL } from '../../fixtures/localModel';

// The local server as `mmgrpo serve --backend local` runs it: what it refuses, and how.
describe('local server (mmgrpo serve --backend local)', function () {
  this.timeout(120_000);
  let proc: LocalProcess;
  let client: OpenAI;
  before(async () => {
    proc = await startLocalProcess({ model: LOCAL_TEST_MODEL });
    client = new OpenAI({ baseURL: proc.baseUrl, apiKey: proc.token, maxRetries: 0 });
  });
  after(() => proc?.stop());

  it('B56 a prompt longer than the local model\'s context: 400 naming messages, with what to do', async () => {
    const err = await client.chat.completions.create({ model: proc.model, messages: [{ role: 'user', content: 'word '.repeat(6000) }], max_tokens: 4 }).then(
      () => assert.fail('a prompt over the context was answered'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenAI.APIError);
    assert.equal(err.status, 400);
    assert.match(err.message, /^400 The prompt is \d+ tokens; this model holds 2048 per request\. Shorten it \(fewer demos, shorter inputs\)\.$/);
    assert.equal((err.error as { param?: string }).param, 'messages');
  });

  it('training routes answer 400: the local model serves inference only', async () => {
    const res = await fetch(`${proc.baseUrl}/fine_tuning/grpo/initialize`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${proc.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: proc.model, num_generations: 2 }),
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /inference only/);
  });

  it('serves on 127.0.0.1 and refuses a request without the token', async () => {
    assert.match(proc.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const res = await fetch(`${proc.baseUrl}/models`);
    assert.equal(res.status, 401);
  });
});
