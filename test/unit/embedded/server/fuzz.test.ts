import { strict as assert } from 'node:assert';
import * as fc from 'fast-check';
import { initializeBody, request, startFakeServer, stepBody, type RawResponse, type TestServer } from './httpHelpers';

const POST_ROUTES = [
  'chat/completions',
  'completions',
  'fine_tuning/grpo/initialize',
  'fine_tuning/grpo/status',
  'fine_tuning/grpo/step',
  'fine_tuning/grpo/checkpoint',
  'fine_tuning/grpo/cancel',
  'fine_tuning/grpo/terminate',
];

function assertSane(res: RawResponse, what: string): void {
  assert.ok(res.status >= 200 && res.status < 600, `${what}: status ${res.status}`);
  assert.notEqual(res.status, 500, `${what}: bad input must not look like a server fault: ${res.text}`);
  assert.match(String(res.headers['content-type']), /application\/json/, what);
  assert.ok(res.json !== undefined, `${what}: body is not JSON: ${res.text}`);
  if (res.status >= 400) assert.equal(typeof res.json.error?.message, 'string', `${what}: ${res.text}`);
}

/**
 * Replaces one top-level field of a valid body with an arbitrary value or the field's own value
 * (reaches deeper validation); now and then the valid body itself, which must be accepted.
 */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(valid);
  const replaced = fc.tuple(fc.constantFrom(...keys, 'unexpected'), fc.jsonValue()).map(([key, value]) => ({ ...valid, [key]: value }));
  return fc.oneof({ arbitrary: replaced, weight: 4 }, { arbitrary: fc.constant(valid), weight: 1 });
}

describe('embedded server: garbage barrage', function () {
  this.timeout(120_000);
  let server: TestServer;
  let jobId: string;
  before(async () => {
    server = await startFakeServer(undefined, 256 * 1024);
    jobId = (await request(server, 'fine_tuning/grpo/initialize', { body: initializeBody() })).json.job_id;
  });
  after(async () => {
    await server.close();
  });

  it('answers random JSON on every route with a JSON response', async () => {
    const body = fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_ROUTES), body, async (route, value) => {
        assertSane(await request(server, route, { raw: JSON.stringify(value) ?? 'null' }), route);
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('answers mutated valid bodies and raw bytes with a JSON response, accepting some and refusing others', async () => {
    // A barrage the server refuses entirely would pass the sanity checks alone: count both answers per route.
    const seen = new Map<string, number>();
    const count = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
    const cases = fc.oneof(
      mutated({ model: 'tiny-fake', messages: [{ role: 'user', content: 'x' }], n: 2 }).map((b) => ['chat/completions', JSON.stringify(b)] as const),
      mutated({ model: 'tiny-fake', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'a', schema: {} } } })
        .map((b) => ['chat/completions', JSON.stringify(b)] as const),
      mutated({ model: 'tiny-fake', prompt: 'x', logprobs: 1 }).map((b) => ['completions', JSON.stringify(b)] as const),
      mutated(stepBody(jobId, 1)).map((b) => ['fine_tuning/grpo/step', JSON.stringify(b)] as const),
      mutated(initializeBody({ dry_run: true })).map((b) => ['fine_tuning/grpo/initialize', JSON.stringify(b)] as const),
      mutated({ job_id: jobId, checkpoint_name: 'c1' }).map((b) => ['fine_tuning/grpo/checkpoint', JSON.stringify(b)] as const),
      fc.tuple(fc.constantFrom(...POST_ROUTES), fc.string({ maxLength: 200 })),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ([route, raw]) => {
        const res = await request(server, route, { method: 'POST', raw });
        assertSane(res, route);
        count(`${route} ${res.status < 300 ? 'accepted' : 'refused'}`);
      }),
      { numRuns: 200, seed: 7 },
    );
    const tally = JSON.stringify(Object.fromEntries(seen));
    // (initialize is refused whole here: a job is running, so even a dry run gets a 409.)
    for (const route of ['chat/completions', 'completions', 'fine_tuning/grpo/step', 'fine_tuning/grpo/checkpoint']) {
      for (const how of ['accepted', 'refused']) assert.ok((seen.get(`${route} ${how}`) ?? 0) > 0, `no ${route} body was ${how}: ${tally}`);
    }
  });

  it('still serves after the barrage', async () => {
    const models = await request(server, 'models');
    assert.equal(models.status, 200);
    assert.ok(models.json.data.some((m: { id: string }) => m.id === 'tiny-fake'));
    const chat = await request(server, 'chat/completions', { body: { model: 'tiny-fake', messages: [{ role: 'user', content: 'x' }] } });
    assert.equal(chat.status, 200);
  });
});
