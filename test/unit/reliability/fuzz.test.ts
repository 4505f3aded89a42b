import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { ChatAdapter } from '../../../src/engine/adapters/chatAdapter';
import { AdapterParseError } from '../../../src/engine/adapters/errors';
import { JSONAdapter } from '../../../src/engine/adapters/jsonAdapter';
import type { Adapter } from '../../../src/engine/adapters/types';
import { Signature } from '../../../src/engine/program/signature';
import { SignatureError } from '../../../src/engine/program/signatureError';
import { parseEvents } from '../../../src/engine/runs/runReader';
import { RUN_EVENT_TYPES, type RunEvent } from '../../../src/protocol/events';
import { request, startFakeServer, type TestServer } from '../embedded/server/httpHelpers';

/**
 * A hang bound, not a speed test: each case takes microseconds, so a case
 * slower than this means catastrophic backtracking or a loop that does not
 * advance. Synchronous code cannot be interrupted, hence a measured bound.
 */
const HANG_MS = 2_000;
const counts: Record<string, number> = {};
/** How cases ended (accepted, rejected, HTTP class): shows the inputs reach both paths. */
const outcomes: Record<string, number> = {};
const outcome = (k: string) => void (outcomes[k] = (outcomes[k] ?? 0) + 1);
let slowestMs = 0;

/** A fuzz test that only ever rejects (or only accepts) proves nothing about the other path. */
function assertBothPaths(accepted: string, rejected: string, atLeast = 10): void {
  assert.ok((outcomes[accepted] ?? 0) >= atLeast, `${accepted}: ${outcomes[accepted] ?? 0} cases (at least ${atLeast} expected)`);
  assert.ok((outcomes[rejected] ?? 0) >= atLeast, `${rejected}: ${outcomes[rejected] ?? 0} cases (at least ${atLeast} expected)`);
}

function timed<T>(what: string, fn: () => T): T {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    const ms = performance.now() - t0;
    counts[what] = (counts[what] ?? 0) + 1;
    slowestMs = Math.max(slowestMs, ms);
    assert.ok(ms < HANG_MS, `${what}: one case took ${ms.toFixed(0)} ms (hang bound ${HANG_MS} ms)`);
  }
}

const VALID_SIGNATURES = [
  'question -> answer',
  'question, context: list[str] -> answer: str',
  'text -> label: Literal["pos", "neg", \'mixed\'], confidence: float',
  'a: int, b: bool -> c: list[int], d: dict',
  'utterance -> category: Literal[1, 2, true], reasoning: json',
  'x -> y: list[Literal["a", "b"]]',
];
const SIG_TOKENS = ['->', ',', ':', 'list[', 'Literal[', ']', '[', '"', "'", 'str', 'int', 'dict', 'json', 'float', 'bool', ' ', '\n', 'completed', '__proto__', '1a', '\\', '-', '>', '#'];

/** One edit of a string: insert a token, delete a span, duplicate a span, or cut. */
function edit(src: string): fc.Arbitrary<string> {
  const pos = fc.nat({ max: src.length });
  return fc.oneof(
    fc.tuple(pos, fc.oneof(fc.constantFrom(...SIG_TOKENS), fc.string({ maxLength: 4 }))).map(([i, t]) => src.slice(0, i) + t + src.slice(i)),
    fc.tuple(pos, pos).map(([i, j]) => src.slice(0, Math.min(i, j)) + src.slice(Math.max(i, j))),
    fc.tuple(pos, pos).map(([i, j]) => src.slice(0, Math.max(i, j)) + src.slice(Math.min(i, j))),
    pos.map((i) => src.slice(0, i)),
  );
}

/** A valid string with 1-4 successive edits. */
function mutated(valid: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...valid), fc.integer({ min: 1, max: 4 })).chain(([s, n]) => {
    let arb: fc.Arbitrary<string> = fc.constant(s);
    for (let k = 0; k < n; k++) arb = arb.chain(edit);
    return arb;
  });
}

/** Long repetitive input: what makes a backtracking regex or a non-advancing loop show. */
const adversarial = fc.tuple(fc.constantFrom('[[ ## ', '{"', '[', '"', '\\', ' ', 'a, ', '-> ', 'list[', '## ]]\n', '```json\n{'), fc.integer({ min: 500, max: 4000 }), fc.string({ maxLength: 3 }))
  .map(([unit, n, tail]) => unit.repeat(n) + tail);

describe('reliability: fuzzing parsers and the embedded server (fixed seeds)', function () {
  this.timeout(120_000);

  after(() => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`      fuzz cases run: ${Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(', ')}; total ${total}; slowest case ${slowestMs.toFixed(1)} ms`);
    console.log(`      outcomes: ${Object.entries(outcomes).sort().map(([k, v]) => `${k}=${v}`).join(', ')}`);
  });

  it('Signature.parse: only SignatureError, never a hang (random, mutated, adversarial)', () => {
    for (const src of VALID_SIGNATURES) assert.doesNotThrow(() => Signature.parse(src), src);
    for (const src of ['question answer -> ', 'q -> a: Lst[str]', '-> a', 'q ->', 'q -> a: Literal[']) assert.throws(() => Signature.parse(src), SignatureError, src);
    const input = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }), mutated(VALID_SIGNATURES), adversarial);
    fc.assert(
      fc.property(input, (src) => {
        timed('signature', () => {
          try {
            const sig = Signature.parse(src);
            // Accepted: its canonical form parses to the same fields.
            assert.deepEqual(Signature.parse(sig.toString()).toString(), sig.toString());
            outcome('signature accepted');
          } catch (err) {
            if (!(err instanceof SignatureError)) throw err;
            outcome('signature rejected');
            // The message quotes the signature and puts a caret under the column: bounded by the input, never blown up.
            assert.ok(err.message.length > 0 && err.message.length <= 3 * src.length + 500, `message of ${err.message.length} chars for ${src.length} of input`);
          }
        });
      }),
      { seed: 7_001, numRuns: 1_000 },
    );
    assertBothPaths('signature accepted', 'signature rejected');
  });

  it('ChatAdapter/JSONAdapter.parse: only AdapterParseError (mutated answers, soup, adversarial)', () => {
    const sigs = VALID_SIGNATURES.map((s) => Signature.parse(s));
    const adapters: Array<[string, Adapter]> = [['chat', new ChatAdapter()], ['chat-guided', new ChatAdapter({ guidedChoice: true })], ['json', new JSONAdapter()]];
    const answers = [
      '[[ ## answer ## ]]\nhello\n\n[[ ## completed ## ]]',
      '[[ ## label ## ]]\npos\n\n[[ ## confidence ## ]]\n0.5\n\n[[ ## completed ## ]]',
      '{"c": [1, 2], "d": {"k": "v"}}',
      '```json\n{"category": 1, "reasoning": {"a": [true]}}\n```',
      '[[ ## y ## ]]\n["a", "b"]\n\n[[ ## completed ## ]]',
      'pos',
    ];
    // Each valid answer parses for its own signature, to the values it spells.
    const expected: Array<[Adapter, number, string, Record<string, unknown>]> = [
      [adapters[0][1], 0, answers[0], { answer: 'hello' }],
      [adapters[0][1], 2, answers[1], { label: 'pos', confidence: 0.5 }],
      [adapters[2][1], 3, answers[2], { c: [1, 2], d: { k: 'v' } }],
      [adapters[2][1], 4, answers[3], { category: 1, reasoning: { a: [true] } }],
      [adapters[0][1], 5, answers[4], { y: ['a', 'b'] }],
    ];
    for (const [a, i, text, want] of expected) {
      const prompt = a.format({ signature: sigs[i], instructions: '', demos: [], inputs: {} });
      assert.deepEqual(a.parse(sigs[i], text, prompt), want, `${VALID_SIGNATURES[i]} <- ${JSON.stringify(text)}`);
    }
    const input = fc.tuple(fc.nat({ max: sigs.length - 1 }), fc.oneof(mutated(answers), fc.string({ maxLength: 200 }), adversarial));
    fc.assert(
      fc.property(input, ([i, text]) => {
        for (const [name, a] of adapters) {
          const prompt = a.format({ signature: sigs[i], instructions: '', demos: [], inputs: {} });
          timed(`adapter:${name}`, () => {
            try {
              a.parse(sigs[i], text, prompt);
              outcome('adapter parsed');
            } catch (err) {
              if (!(err instanceof AdapterParseError)) throw new Error(`${name} threw ${(err as Error).name}: ${(err as Error).message}`);
              outcome('adapter parse error');
            }
          });
        }
      }),
      { seed: 7_002, numRuns: 500 },
    );
    assertBothPaths('adapter parsed', 'adapter parse error');
  });

  it('parseEvents: never throws; torn or garbled lines never become events, whole events among garbage all do', () => {
    const ev = (seq: number) => JSON.stringify({ v: 1, seq, ts: '2026-01-01T00:00:00.000Z', type: 'progress', stage: 'w', done: seq, total: 9 });
    const mixed = parseEvents(['garbage', ev(0), '{"seq": 1, "torn', '[1,2]', ev(1), 'null', ev(2).slice(0, 20)].join('\n'));
    assert.deepEqual(mixed.events.map((e) => e.seq), [0, 1], 'the whole events between garbage lines are kept');
    assert.deepEqual([mixed.skipped, mixed.tornTail], [4, true]);
    const eventArb = fc.record({
      type: fc.constantFrom(...RUN_EVENT_TYPES),
      message: fc.string({ maxLength: 30 }),
      n: fc.integer(),
    });
    const input = fc.tuple(
      fc.array(eventArb, { maxLength: 12 }),
      fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue().map((v) => JSON.stringify(v) ?? '')), { maxLength: 4 }),
      fc.nat(),
      fc.boolean(),
    );
    fc.assert(
      fc.property(input, ([raw, garbage, cut, withGarbage]) => {
        const events = raw.map((e, seq) => ({ v: 1, seq, ts: '2026-01-01T00:00:00.000Z', ...e }) as unknown as RunEvent);
        const lines = events.map((e) => JSON.stringify(e));
        const full = lines.map((l) => l + '\n').join('');
        // Crash model: the file is cut at any byte; garbage lines (not events) may sit anywhere before the cut.
        const text = full.slice(0, cut % (full.length + 1));
        const read = timed('parseEvents', () => parseEvents(text));
        const whole = text.split('\n').slice(0, -1).length + (text.endsWith('}') ? 1 : 0);
        assert.deepEqual(read.events, events.slice(0, whole), 'exactly the whole lines, in order');
        if (withGarbage) {
          const noisy = [...garbage.filter((g) => !/"seq"/.test(g)), ...lines].join('\n') + '\n' + text;
          const r2 = timed('parseEvents', () => parseEvents(noisy));
          // Garbage is skipped, not contagious: every whole event survives, in order.
          assert.deepEqual(r2.events, [...events, ...events.slice(0, whole)], 'the whole events, garbage skipped');
          outcome(r2.events.length ? 'parseEvents kept events among garbage' : 'parseEvents nothing to keep');
        }
      }),
      { seed: 7_003, numRuns: 500 },
    );
    assert.ok((outcomes['parseEvents kept events among garbage'] ?? 0) >= 10, 'whole events among garbage were read back');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), adversarial), (text) => {
        const read = timed('parseEvents', () => parseEvents(text));
        for (const e of read.events) assert.ok(RUN_EVENT_TYPES.includes(e.type) && typeof e.seq === 'number' && typeof e.v === 'number');
      }),
      { seed: 7_004, numRuns: 300 },
    );
  });

  describe('embedded server over HTTP', () => {
    let server: TestServer;
    let jobId: string;
    const ROUTES = ['chat/completions', 'models', 'capabilities', 'fine_tuning/grpo/initialize', 'fine_tuning/grpo/status', 'fine_tuning/grpo/step',
      'fine_tuning/grpo/checkpoint', 'fine_tuning/grpo/cancel', 'fine_tuning/sft', 'fine_tuning/grpo/terminate', 'nope', 'fine_tuning/grpo'];
    before(async () => {
      server = await startFakeServer(undefined, 256 * 1024);
      const init = await request(server, 'fine_tuning/grpo/initialize', {
        body: { model: 'openai/arbor:tiny-fake', trainer_config: { num_generations: 2 }, inference_config: { model: 'tiny-fake' } },
      });
      jobId = init.json?.job_id ?? 'job-x';
    });
    after(async () => {
      await server.close();
    });

    it('random JSON to every route and method: always a JSON 2xx/4xx answer, and the server stays up', async () => {
      // Bodies lean towards plausible shapes (known keys, the live job id) so validation past the first field is reached.
      const keys = fc.constantFrom('model', 'messages', 'n', 'job_id', 'batch', 'batch_id', 'examples', 'checkpoint_name', 'trainer_config', 'temperature', 'max_tokens', 'guided_choice', '__proto__', 'constructor');
      const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(jobId), fc.constant('tiny-fake'), fc.constant([{ role: 'user', content: 'x' }]));
      const body = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(keys, value, { maxKeys: 6 }));
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ROUTES), fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT'), body, async (route, method, value) => {
          counts.http = (counts.http ?? 0) + 1;
          const raw = method === 'GET' ? undefined : (JSON.stringify(value) ?? 'null');
          const res = await request(server, route, { method, raw });
          assert.ok(res.status >= 200 && res.status < 500, `${method} ${route} ${raw}: status ${res.status} ${res.text}`);
          assert.match(String(res.headers['content-type']), /application\/json/);
          assert.notEqual(res.json, undefined, `${route}: not JSON: ${res.text}`);
          if (res.status >= 400) assert.equal(typeof res.json.error?.message, 'string');
          outcome(`http ${res.status}`);
        }),
        { seed: 7_005, numRuns: 500, timeout: HANG_MS },
      );
      assertBothPaths('http 200', 'http 400');
      const alive = await request(server, 'chat/completions', { body: { model: 'tiny-fake', messages: [{ role: 'user', content: 'still there?' }] } });
      assert.equal(alive.status, 200, alive.text);
    });
  });
});
