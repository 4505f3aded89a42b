import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHttpFetch } from '../../../../src/engine/lm/httpFetch';
import { chatCompletion } from '../../../fixtures/fakeOpenAIServer';
import { createLM } from '../../../../src/engine/lm';
import { LMError } from '../../../../src/engine/lm/types';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

/** A loopback server whose behaviour each test scripts; counts the TCP connections it accepted. */
async function serve(handler: Handler): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const completion = (content: string) => chatCompletion(content, { model: 'm', promptTokens: 3, completionTokens: 2 });

/** Runs `script` in a fresh Node (with tsx) and returns the JSON it printed; fails if it does not exit by itself. */
async function runNode(script: string, env: Record<string, string>): Promise<unknown> {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = await new Promise<number | null | 'hung'>((resolve) => {
    const timer = setTimeout(() => {
      child.kill();
      resolve('hung');
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  assert.equal(exited, 0, `the child exits by itself with 0; printed ${out}`);
  return JSON.parse(out.trim()) as unknown;
}

describe('node:http fetch for the openai SDK', () => {
  const fetch = createHttpFetch();

  it('sends method, headers and body and returns status, headers and body like fetch', async () => {
    const srv = await serve((req, body, res) => {
      res.setHeader('x-seen', `${req.method} ${req.url} ${req.headers['content-type']} ${req.headers['content-length']} ${body}`);
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(201, 'Made', { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: 'é' }));
    });
    try {
      const headers = new Headers({ 'Content-Type': 'application/json', Authorization: 'Bearer k' });
      const res = await fetch(`${srv.url}/v1/x?y=1`, { method: 'POST', headers, body: '{"q":"ü"}' });
      assert.equal(res.status, 201);
      assert.equal(res.statusText, 'Made');
      assert.equal(res.ok, true);
      assert.equal(res.headers.get('x-seen'), 'POST /v1/x?y=1 application/json 10 {"q":"ü"}');
      assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
      assert.deepEqual(await res.json(), { ok: 'é' });
    } finally {
      await srv.close();
    }
  });

  it('keeps the connection alive between requests', async () => {
    const srv = await serve((_req, _body, res) => res.end('{}'));
    try {
      for (let i = 0; i < 3; i++) await (await fetch(`${srv.url}/a`, { method: 'POST', body: '{}' })).text();
      assert.equal(srv.connections(), 1);
    } finally {
      await srv.close();
    }
  });

  it('rejects a refused connection as undici does: TypeError "fetch failed" with the OS error as cause', async () => {
    const srv = await serve(() => undefined);
    const url = srv.url;
    await srv.close();
    const err = await fetch(`${url}/x`, { method: 'POST', body: '{}' }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof TypeError, String(err));
    assert.equal(err.message, 'fetch failed');
    assert.equal((err.cause as { code?: string }).code, 'ECONNREFUSED');
  });

  it('rejects a body cut off mid-way as a reset (ECONNRESET)', async () => {
    const srv = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"choices": [');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    try {
      const err = await fetch(`${srv.url}/x`, { method: 'POST', body: '{}' }).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof TypeError, String(err));
      assert.equal((err.cause as { code?: string }).code, 'ECONNRESET');
    } finally {
      await srv.close();
    }
  });

  it('rejects with the signal reason when aborted before or during the request, and closes the socket', async () => {
    let closed = false;
    const srv = await serve((req) => req.socket.on('close', () => (closed = true)));
    try {
      const before = new AbortController();
      before.abort();
      const early = await fetch(`${srv.url}/x`, { method: 'POST', body: '{}', signal: before.signal }).then(() => undefined, (e: unknown) => e);
      assert.equal((early as Error).name, 'AbortError');
      const during = new AbortController();
      const pending = fetch(`${srv.url}/x`, { method: 'POST', body: '{}', signal: during.signal }).then(() => undefined, (e: unknown) => e);
      await new Promise((r) => setTimeout(r, 30));
      during.abort();
      assert.equal(((await pending) as Error).name, 'AbortError');
      for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(closed, 'the server saw the connection close');
    } finally {
      await srv.close();
    }
  });

  it('decodes a gzip body the server sent unasked, follows a redirect, and gives 204 a null body', async () => {
    const srv = await serve((req, _body, res) => {
      if (req.url === '/gz') {
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
        res.end(zlib.gzipSync('{"z":1}'));
      } else if (req.url === '/old') {
        res.writeHead(307, { location: '/new' });
        res.end();
      } else if (req.url === '/new') {
        res.end(`{"moved":"${req.method}"}`);
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    try {
      assert.deepEqual(await (await fetch(`${srv.url}/gz`, { method: 'GET' })).json(), { z: 1 });
      const moved = await fetch(`${srv.url}/old`, { method: 'POST', body: '{}' });
      assert.deepEqual(await moved.json(), { moved: 'POST' });
      const empty = await fetch(`${srv.url}/none`, { method: 'DELETE' });
      assert.equal(empty.status, 204);
      assert.equal(empty.body, null);
    } finally {
      await srv.close();
    }
  });

  it('streams text/event-stream answers as they arrive', async () => {
    const srv = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 30);
    });
    try {
      const res = await fetch(`${srv.url}/s`, { method: 'POST', body: '{}' });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const first = await reader.read();
      assert.equal(new TextDecoder().decode(first.value), 'data: one\n\n', 'the first event arrives before the server ends');
      let rest = '';
      for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
      assert.equal(rest, 'data: two\n\n');
    } finally {
      await srv.close();
    }
  });

  it('ends a stream when the signal aborts after the answer started', async () => {
    let closed = false;
    const srv = await serve((req, _body, res) => {
      req.socket.on('close', () => (closed = true));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n'); // and never ends
    });
    try {
      const ctrl = new AbortController();
      const res = await fetch(`${srv.url}/s`, { method: 'POST', body: '{}', signal: ctrl.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      ctrl.abort();
      const next = await reader.read().then(() => 'read', (e: unknown) => (e as Error).name);
      assert.notEqual(next, 'read', 'the stream does not go on after the abort');
      for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(closed, 'the server saw the connection close');
    } finally {
      await srv.close();
    }
  });

  it('hands bodies it does not carry itself (form data) to the global fetch', async () => {
    const srv = await serve((req, body, res) => res.end(JSON.stringify({ type: req.headers['content-type'], body })));
    try {
      const res = await fetch(`${srv.url}/f`, { method: 'POST', body: new URLSearchParams({ a: '1' }) });
      assert.deepEqual(await res.json(), { type: 'application/x-www-form-urlencoded;charset=UTF-8', body: 'a=1' });
    } finally {
      await srv.close();
    }
  });

  it('carries the LM client by default, and the global fetch with transport "fetch"', async () => {
    const agents = new Set<string>();
    const srv = await serve((req, _body, res) => {
      agents.add(String(req.headers['accept-encoding'] ?? 'none'));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(completion('hi')));
    });
    try {
      const viaHttp = createLM({ baseUrl: `${srv.url}/v1`, model: 'm' });
      const viaFetch = createLM({ baseUrl: `${srv.url}/v1`, model: 'm', transport: 'fetch' });
      for (const lm of [viaHttp, viaFetch]) {
        const r = await lm.complete({ messages: [{ role: 'user', content: 'x' }] });
        assert.equal(r.choices[0].text, 'hi');
        assert.deepEqual(r.usage, { promptTokens: 3, completionTokens: 2, totalTokens: 5 });
      }
      // undici's fetch asks for compressed answers; node:http sends no accept-encoding.
      assert.ok(agents.has('none'), `node:http carried one call: ${[...agents].join(' | ')}`);
      assert.ok([...agents].some((a) => a.includes('gzip')), `undici carried the other: ${[...agents].join(' | ')}`);
    } finally {
      await srv.close();
    }
  });

  it('classifies a refused connection the same way on both transports', async () => {
    const srv = await serve(() => undefined);
    const baseUrl = `${srv.url}/v1`;
    await srv.close();
    const messages = await Promise.all(
      (['http', 'fetch'] as const).map((transport) =>
        createLM({ baseUrl, model: 'm', transport, maxRetries: 0 })
          .complete({ messages: [{ role: 'user', content: 'x' }] })
          .then(() => 'answered', (e: unknown) => (e instanceof LMError ? `${e.kind}: ${e.message}` : String(e))),
      ),
    );
    assert.equal(messages[0], messages[1]);
    assert.match(messages[0], /^unreachable: Cannot reach the LM server at .* \(ECONNREFUSED\)/);
  });

  it('speaks HTTPS on both transports, trusting the same CAs (NODE_EXTRA_CA_CERTS) and failing alike without them', async () => {
    const tls = path.resolve(__dirname, '../../../fixtures/tls'); // scripts/makeTestCert.sh
    const server = https.createServer({ cert: readFileSync(path.join(tls, 'cert.pem')), key: readFileSync(path.join(tls, 'key.pem')) }, (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(completion('secure')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    try {
      // A child process, because Node reads NODE_EXTRA_CA_CERTS only at startup.
      const lmPath = path.resolve(__dirname, '../../../../src/engine/lm/index.ts');
      const script =
        `const { createLM } = require(${JSON.stringify(lmPath)});` +
        `Promise.all(['http', 'fetch'].map((transport) => createLM({ baseUrl: ${JSON.stringify(baseUrl)}, model: 'm', transport, maxRetries: 0 })` +
        `.complete({ messages: [{ role: 'user', content: 'x' }] }).then((r) => r.choices[0].text, (e) => e.kind + ': ' + e.message)))` +
        `.then((out) => console.log(JSON.stringify(out)));`;
      const run = (extraCa: boolean) => runNode(script, extraCa ? { NODE_EXTRA_CA_CERTS: path.join(tls, 'cert.pem') } : {});
      assert.deepEqual(await run(true), ['secure', 'secure']);
      const [viaHttp, viaFetch] = (await run(false)) as string[];
      assert.equal(viaHttp, viaFetch, 'the same error on both transports');
      // B44 in docs/bad-input.md: what the user sees for a certificate this machine does not trust.
      assert.match(
        viaHttp,
        /^unreachable: The LM server at https:\/\/127\.0\.0\.1:\d+\/v1 presented a TLS certificate this machine does not trust \(DEPTH_ZERO_SELF_SIGNED_CERT\)\. If the server uses a self-signed or private-CA certificate, set NODE_EXTRA_CA_CERTS/,
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('does not keep a process alive after its last request (idle sockets are unref\'d)', async () => {
    const srv = await serve((_req, _body, res) => res.end('{"a":1}'));
    try {
      const modulePath = path.resolve(__dirname, '../../../../src/engine/lm/httpFetch.ts');
      const script = `require(${JSON.stringify(modulePath)}).createHttpFetch()(${JSON.stringify(`${srv.url}/x`)}, { method: 'POST', body: '{}' }).then((r) => r.json()).then((j) => console.log(JSON.stringify(j)));`;
      assert.deepEqual(await runNode(script, {}), { a: 1 });
    } finally {
      await srv.close();
    }
  });
});
