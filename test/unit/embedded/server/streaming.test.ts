import { strict as assert } from 'node:assert';
import { FakeBackend } from '../../../fixtures/fakeBackend';
import { request, requestThenHangUp, sseData, startFakeServer, type TestServer } from './httpHelpers';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Chunk = any;

const chat = (extra: Record<string, unknown> = {}) => ({ model: 'tiny-fake', messages: [{ role: 'user', content: 'hi' }], ...extra });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Concatenated content per choice index, from chat chunks. */
function assembled(chunks: Chunk[]): string[] {
  const out: string[] = [];
  for (const c of chunks) for (const ch of c.choices) out[ch.index] = (out[ch.index] ?? '') + (ch.delta.content ?? '');
  return out;
}

async function streamed(server: TestServer, route: string, body: unknown): Promise<{ chunks: Chunk[]; events: unknown[]; status: number; type: string }> {
  const res = await request(server, route, { body });
  assert.equal(res.status, 200, res.text);
  const events = sseData(res.text);
  return { events, chunks: events.filter((e) => e !== '[DONE]'), status: res.status, type: String(res.headers['content-type']) };
}

describe('embedded server: streaming (server-sent events)', () => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  describe('over a streaming backend', () => {
    beforeEach(async () => {
      server = await startFakeServer();
    });

    it('frames chat chunks as OpenAI does: role first, content pieces, finish, [DONE]', async () => {
      const { events, chunks, type } = await streamed(server, 'chat/completions', chat({ stream: true }));
      assert.match(type, /^text\/event-stream/);
      assert.equal(events.at(-1), '[DONE]');
      assert.equal(events.filter((e) => e === '[DONE]').length, 1);
      assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id && c.model === 'tiny-fake'));
      assert.ok(chunks.every((c) => !('usage' in c)), 'no usage field unless include_usage');
      assert.deepEqual(chunks[0].choices, [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }]);
      const pieces = chunks.slice(1, -1).map((c) => c.choices[0].delta.content);
      assert.deepEqual(pieces, ['fake ', 'answer ', 'v0'], 'one event per delta the backend reported');
      assert.deepEqual(chunks.at(-1).choices, [{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }]);
      const plain = await request(server, 'chat/completions', { body: chat() });
      assert.equal(assembled(chunks)[0], plain.json.choices[0].message.content);
    });

    it('ends with a usage chunk (choices: []) when stream_options.include_usage', async () => {
      const { events, chunks } = await streamed(server, 'chat/completions', chat({ stream: true, stream_options: { include_usage: true } }));
      assert.equal(events.at(-1), '[DONE]');
      const last = chunks.at(-1);
      assert.deepEqual(last.choices, []);
      const plain = await request(server, 'chat/completions', { body: chat() });
      assert.deepEqual(last.usage, plain.json.usage);
      assert.ok(chunks.slice(0, -1).every((c) => c.usage === null), 'the other chunks carry usage: null');
    });

    it('streams n > 1 choices, each with its index, role, content and finish', async () => {
      const body = chat({ stream: true, n: 3, seed: 4, guided_choice: ['red', 'green', 'blue'] });
      const { chunks } = await streamed(server, 'chat/completions', body);
      assert.ok(chunks.every((c) => c.choices.length === 1));
      const entries = chunks.map((c) => c.choices[0]);
      for (const index of [0, 1, 2]) {
        const mine = entries.filter((e) => e.index === index);
        assert.deepEqual(mine[0].delta, { role: 'assistant', content: '' }, `choice ${index} opens with its role`);
        assert.equal(mine.filter((e) => e.finish_reason !== null).length, 1, `choice ${index} finishes once`);
        assert.equal(mine.at(-1).finish_reason, 'stop');
      }
      const plain = await request(server, 'chat/completions', { body: { ...body, stream: false } });
      assert.deepEqual(assembled(chunks), plain.json.choices.map((c: Chunk) => c.message.content));
      assert.equal(server.backend!.record.generates[0].seed, 4);
    });

    it('puts the logprobs of a choice on its finishing chunk, equal to the non-streamed ones', async () => {
      const body = chat({ stream: true, logprobs: true, top_logprobs: 1 });
      const { chunks } = await streamed(server, 'chat/completions', body);
      const plain = await request(server, 'chat/completions', { body: { ...body, stream: false } });
      const carried = chunks.flatMap((c) => c.choices.flatMap((ch: Chunk) => ch.logprobs?.content ?? []));
      assert.deepEqual(carried, plain.json.choices[0].logprobs.content);
      assert.ok(carried.length > 0);
    });

    it('answers validation errors of a streaming request with a JSON 400, not a stream', async () => {
      const res = await request(server, 'chat/completions', { body: chat({ stream: true, temperature: 9 }) });
      assert.equal(res.status, 400);
      assert.match(String(res.headers['content-type']), /application\/json/);
      assert.equal(res.json.error.param, 'temperature');
    });

    it('streams text completions as text_completion chunks', async () => {
      const body = { model: 'tiny-fake', prompt: 'Once', stream: true, stream_options: { include_usage: true } };
      const { events, chunks } = await streamed(server, 'completions', body);
      assert.equal(events.at(-1), '[DONE]');
      assert.ok(chunks.every((c) => c.object === 'text_completion' && c.id.startsWith('cmpl-')));
      const withChoices = chunks.filter((c) => c.choices.length > 0);
      assert.equal(withChoices.map((c) => c.choices[0].text).join(''), 'fake answer v0');
      assert.equal(withChoices.at(-1).choices[0].finish_reason, 'stop');
      assert.ok(withChoices.slice(0, -1).every((c) => c.choices[0].finish_reason === null));
      assert.deepEqual(chunks.at(-1).choices, []);
      assert.equal(chunks.at(-1).usage.completion_tokens, 3);
    });
  });

  it('sends what a backend that cannot stream produced when its result is in', async () => {
    server = await startFakeServer(new FakeBackend({ noDeltas: true }));
    const { chunks, events } = await streamed(server, 'chat/completions', chat({ stream: true, n: 2 }));
    assert.deepEqual(assembled(chunks), ['fake answer v0', 'fake answer v0']);
    assert.equal(events.at(-1), '[DONE]');
  });

  it('answers a failure before the first event with a JSON error and its status', async () => {
    server = await startFakeServer(new FakeBackend({ failGenerate: 'out of memory' }));
    const res = await request(server, 'chat/completions', { body: chat({ stream: true }) });
    assert.equal(res.status, 500);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.match(res.json.error.message, /out of memory/);
  });

  it("answers a request the backend refuses as asked with a 400 naming its field, streamed or not", async () => {
    server = await startFakeServer(new FakeBackend({ refuseRequest: { message: 'The prompt is too long for this model.', param: 'messages' } }));
    for (const stream of [false, true]) {
      const res = await request(server, 'chat/completions', { body: chat({ stream }) });
      assert.equal(res.status, 400, res.text);
      assert.deepEqual(res.json.error, { message: 'The prompt is too long for this model.', type: 'invalid_request_error', param: 'messages', code: null });
    }
  });

  it('sends a failure after the stream started as an error event, and ends without [DONE]', async () => {
    server = await startFakeServer(new FakeBackend({ failAfterFirstDelta: 'device lost' }));
    const res = await request(server, 'chat/completions', { body: chat({ stream: true }) });
    assert.equal(res.status, 200);
    const events = sseData(res.text) as Chunk[];
    assert.ok(!events.includes('[DONE]'));
    const last = events.at(-1);
    assert.equal(last.error.type, 'server_error');
    assert.match(last.error.message, /device lost/);
    assert.equal(assembled(events.slice(0, -1))[0], 'fake ', 'the deltas before the failure were sent');
  });

  for (const stream of [true, false]) {
    it(`aborts the generation when the client disconnects (stream: ${stream})`, async () => {
      const backend = new FakeBackend({ deltaDelayMs: 200 });
      server = await startFakeServer(backend);
      const body = chat({ stream });
      // Streamed: leave after the first event; not streamed: leave while the answer is still being generated.
      const read = await requestThenHangUp(server, 'chat/completions', body, stream ? 'firstByte' : 100);
      if (stream) assert.match(read, /^data: /, 'the first event arrived while the backend was still generating');
      else assert.equal(read, '');
      assert.equal(backend.record.signals.length, 1, 'generation had started');
      const signal = backend.record.signals[0]!;
      for (let i = 0; i < 200 && !signal.aborted; i++) await sleep(5);
      assert.equal(signal.aborted, true, 'the backend saw its signal aborted');
      assert.equal((await request(server, 'models')).status, 200, 'the server keeps serving');
    });
  }
});
