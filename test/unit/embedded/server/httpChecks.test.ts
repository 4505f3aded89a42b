import { strict as assert } from 'node:assert';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { bearerMatches, drainOrDrop, isLoopbackHost, readJsonBody, sendJson } from '../../../../src/embedded/server/httpIo';
import { HttpError } from '../../../../src/embedded/server/httpError';

// The server's gate, function by function: the Host check (DNS rebinding),
// the token check and the body limits. The HTTP-level tests (security.test.ts)
// send a few cases each; these pin every edge of the patterns and bounds
// (issue 18, mutation testing).

/** A request body stream with headers, as node:http hands it to the handler. */
function fakeRequest(headers: Record<string, string> = {}): PassThrough & IncomingMessage {
  return Object.assign(new PassThrough(), { headers }) as unknown as PassThrough & IncomingMessage;
}

async function rejection(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof HttpError, String(err));
    return err;
  }
  assert.fail('expected a rejection');
}

describe('embedded server checks: Host header', () => {
  const accepted = ['127.0.0.1', '127.0.0.1:8080', 'localhost', 'LocalHost:1', '[::1]', '[::1]:65535', ' localhost '];
  const refused = [
    undefined, '', '127.0.0.1:', '127.0.0.1:123456', '127.0.0.1:80x', 'localhost.evil.example', 'evil.localhost',
    'xlocalhost', '127.0.0.2', '127a0b0c1', '0.0.0.0', '[::1', '::1', '[::2]', 'localhost:8080/evil',
  ];
  for (const host of accepted) it(`accepts Host ${JSON.stringify(host)}`, () => assert.equal(isLoopbackHost(host), true));
  for (const host of refused) it(`refuses Host ${JSON.stringify(host)}`, () => assert.equal(isLoopbackHost(host), false));
});

describe('embedded server checks: bearer token', () => {
  const token = 'tok-123';
  it('accepts the exact token, any case of "Bearer", any whitespace around it', () => {
    for (const h of ['Bearer tok-123', 'bearer tok-123', 'BEARER   tok-123', 'Bearer\ttok-123  ']) assert.equal(bearerMatches(h, token), true, h);
  });
  it('refuses a missing header, another scheme, a prefix, an extension or extra words', () => {
    for (const h of [undefined, '', 'Bearer', 'Bearer ', 'Basic tok-123', 'xBearer tok-123', 'Bearertok-123', 'Bearer tok-12', 'Bearer tok-1234', 'Bearer tok-123 x', 'Bearer TOK-123']) {
      assert.equal(bearerMatches(h, token), false, JSON.stringify(h));
    }
  });
});

describe('embedded server checks: request body', () => {
  it('parses a JSON body up to the limit, byte for byte', async () => {
    const req = fakeRequest({ 'content-length': '9' });
    const body = readJsonBody(req, 9);
    req.write('{"a":');
    req.end('[1]}');
    assert.deepEqual(await body, { a: [1] });
  });

  it('refuses a declared length over the limit before reading, asking for smaller batches and closing', async () => {
    const err = await rejection(readJsonBody(fakeRequest({ 'content-length': '10' }), 9));
    assert.equal(err.status, 413);
    assert.match(err.message, /exceeds the 9-byte limit.*smaller batches/);
    assert.deepEqual(err.headers, { Connection: 'close' });
    assert.equal(err.type, 'invalid_request_error');
  });

  it('refuses a body that grows past the limit without a declared length, and ignores what follows', async () => {
    const req = fakeRequest();
    const body = readJsonBody(req, 9);
    req.write('{"a":"xx');
    req.write('xx"}');
    req.end('more');
    const err = await rejection(body);
    assert.equal(err.status, 413);
  });

  it('names an empty body and invalid JSON as 400s', async () => {
    for (const [text, re] of [['  ', /empty; send a JSON object/], ['{"a":', /not valid JSON/]] as const) {
      const req = fakeRequest();
      const body = readJsonBody(req, 100);
      req.end(text);
      const err = await rejection(body);
      assert.equal(err.status, 400);
      assert.match(err.message, re);
    }
  });

  it('turns a stream error into a 400 that says the body could not be read', async () => {
    const req = fakeRequest();
    const body = readJsonBody(req, 100);
    req.write('{"a"');
    req.destroy(new Error('socket hang up'));
    const err = await rejection(body);
    assert.equal(err.status, 400);
    assert.match(err.message, /Could not read the request body: socket hang up/);
  });

  it('drains up to the bound after a 413, then drops the connection', () => {
    const req = fakeRequest();
    let destroyed = false;
    req.destroy = (() => {
      destroyed = true;
      return req;
    }) as typeof req.destroy;
    drainOrDrop(req, 10);
    req.emit('data', Buffer.alloc(10));
    assert.equal(destroyed, false, 'exactly the bound is still drained');
    req.emit('data', Buffer.alloc(1));
    assert.equal(destroyed, true);
  });
});

describe('embedded server checks: JSON answers', () => {
  function fakeResponse(headersSent = false) {
    const out = { status: 0, headers: {} as Record<string, string>, text: undefined as string | undefined, ended: false };
    const res = {
      headersSent,
      writeHead(status: number, headers: Record<string, string>) {
        out.status = status;
        out.headers = headers;
      },
      end(text?: string) {
        out.ended = true;
        out.text = text;
      },
    } as unknown as ServerResponse;
    return { res, out };
  }

  it('sends JSON with its byte length, no caching, and extra headers', () => {
    const { res, out } = fakeResponse();
    sendJson(res, 405, { m: 'é' }, { Allow: 'POST' });
    assert.equal(out.status, 405);
    assert.equal(out.text, '{"m":"é"}');
    assert.deepEqual(out.headers, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': '10',
      'Cache-Control': 'no-store',
      Allow: 'POST',
    });
  });

  it('only ends a response whose headers are already out (a stream that failed midway)', () => {
    const { res, out } = fakeResponse(true);
    sendJson(res, 500, { error: 'x' });
    assert.equal(out.ended, true);
    assert.equal(out.status, 0);
    assert.equal(out.text, undefined);
  });
});
