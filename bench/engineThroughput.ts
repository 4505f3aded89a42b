// Engine throughput benchmark (issue: engine foundation).
// Runs a 3-module program through the engine's evaluator against a local zero-latency
// OpenAI-compatible server, then replays the very same request bodies through a raw `openai`
// client loop (the SDK as a user would call it) at the same concurrency, and prints
// engine throughput / raw throughput (goal >= 0.9).
//
// Three sides are measured each round:
//   engine          the engine as shipped: the SDK over our node:http transport (lm/httpFetch.ts)
//   engine (fetch)  the engine with `transport: 'fetch'`: the SDK over the global fetch, exactly
//                   like the raw loop, so the ratio to raw is the engine layer's own cost
//                   (prompt formatting, parsing, tracing, evaluation, AsyncLocalStorage)
//   raw openai      `new OpenAI(...)` and `chat.completions.create` in a loop
// All three run in one process, so all pay for the async hooks that AsyncLocalStorage turns on
// in Node 20 (bench/asyncHooksCost.ts measures that tax on a raw loop alone).
//
// Fairness: a full garbage collection before every measured round (else a side collects its
// predecessor's garbage), and the order rotates and reverses from round to round (6 orders),
// because the side that ran later in a fixed order measured about 3% faster. The median over
// rounds is reported. CPU time per request (process.cpuUsage) is printed too: on a shared
// machine it is less disturbed by other processes than wall-clock throughput is.
// Usage: npx tsx bench/engineThroughput.ts [--examples 400] [--concurrency 16] [--rounds 6]
//    or: npm run bench:engine -- [same flags]  (the esbuild bundle, as the CLI ships)
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import OpenAI from 'openai';
import { Module, Predict, defineTask, createLM } from '../src/engine/sdk';
import { evaluate } from '../src/engine/evaluate';
import type { LanguageModel, LMRequest, LMResponse } from '../src/engine/lm/types';
import { startFakeServer } from './lib/fakeServer';
import { median } from './lib/stats';

const { values } = parseArgs({ options: { examples: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '16' }, rounds: { type: 'string', default: '6' } } });
const N = Number(values.examples);
const C = Number(values.concurrency);
const ROUNDS = Number(values.rounds);

class ThreeStep extends Module {
  plan = new Predict('question -> plan');
  write = new Predict('question, plan -> draft');
  finish = new Predict('question, draft -> answer');
  async forward(input: { question: string }) {
    const { plan } = await this.plan.forward(input);
    const { draft } = await this.write.forward({ question: input.question, plan });
    return this.finish.forward({ question: input.question, draft });
  }
}

const task = defineTask({
  name: 'bench',
  program: new ThreeStep(),
  inputs: ['question'],
  trainset: Array.from({ length: N }, (_, i) => ({ question: `What is item ${i}?`, answer: 'final answer' })),
  metric: (ex, pred) => (pred.answer === ex.answer ? 1 : 0),
});

// One client per transport for all rounds, as a run has: connection pools and code paths stay warm.
const clients = new Map<string, ReturnType<typeof createLM>>();
type Transport = 'http' | 'fetch';

// A full collection on demand without a command-line flag, so `npx tsx` and the bundle run alike.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Runs `round` after a full collection and returns its requests/s and its CPU µs per request. */
async function measured(requests: number, round: () => Promise<void>): Promise<{ rps: number; cpuPerReq: number }> {
  collectGarbage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await round();
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { rps: requests / secs, cpuPerReq: (cpu.user + cpu.system) / requests };
}

async function engineRound(baseUrl: string, transport: Transport, capture?: LMRequest[]): Promise<void> {
  let inner = clients.get(transport);
  if (!inner) clients.set(transport, (inner = createLM({ baseUrl, model: 'bench-model', maxConcurrency: C, transport })));
  const lm: LanguageModel = capture
    ? { model: inner.model, complete: (r: LMRequest, s?: AbortSignal): Promise<LMResponse> => (capture.push(r), inner.complete(r, s)) }
    : inner;
  const r = await evaluate({ task, program: task.program.clone(), dataset: task.trainset, lm, concurrency: C, sampling: { temperature: 0, max_tokens: 64 } });
  if (r.score !== 1) throw new Error(`engine round scored ${r.score}; the benchmark program is miswired`);
}

async function rawRound(baseUrl: string, requests: LMRequest[]): Promise<void> {
  const client = new OpenAI({ baseURL: baseUrl, apiKey: 'sk-no-key', maxRetries: 0 });
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++];
      await client.chat.completions.create({ model: 'bench-model', messages: r.messages, temperature: r.temperature, max_tokens: r.max_tokens });
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
}

/** Median; the mean of the two middle values for an even count (rounds come in engine-first/raw-first pairs). */
interface Side {
  name: string;
  requests: number;
  round: () => Promise<void>;
  rps: number[];
  cpu: number[];
}

/** Round i's order: the three sides rotated by i, reversed every other round (6 orders in all). */
function orderOf<T>(sides: T[], i: number): T[] {
  const k = Math.floor(i / 2) % sides.length;
  const rotated = [...sides.slice(k), ...sides.slice(0, k)];
  return i % 2 ? rotated.reverse() : rotated;
}

async function main() {
  const server = await startFakeServer(__filename, __dirname);
  try {
    const requests: LMRequest[] = [];
    await engineRound(server.baseUrl, 'fetch', requests); // warm-up, and the request bodies to replay
    await engineRound(server.baseUrl, 'http');
    await rawRound(server.baseUrl, requests);
    const side = (name: string, n: number, round: () => Promise<void>): Side => ({ name, requests: n, round, rps: [], cpu: [] });
    const engine = side('engine', N * 3, () => engineRound(server.baseUrl, 'http'));
    const engineFetch = side('engine (fetch)', N * 3, () => engineRound(server.baseUrl, 'fetch'));
    const raw = side('raw openai', requests.length, () => rawRound(server.baseUrl, requests));
    for (let i = 0; i < ROUNDS; i++) {
      const parts: string[] = [];
      for (const s of orderOf([engine, engineFetch, raw], i)) {
        const m = await measured(s.requests, s.round);
        s.rps.push(m.rps);
        s.cpu.push(m.cpuPerReq);
        parts.push(`${s.name} ${m.rps.toFixed(0)} req/s (${m.cpuPerReq.toFixed(0)} µs CPU/req)`);
      }
      console.log(`round ${i + 1}: ${parts.join(', ')}`);
    }
    const ratio = (a: Side, b: Side, key: 'rps' | 'cpu') => median(a[key].map((x, i) => (key === 'rps' ? x / b[key][i] : b[key][i] / x)));
    console.log(`layer cost: engine (fetch) / raw openai throughput ${ratio(engineFetch, raw, 'rps').toFixed(3)}, CPU per request ${ratio(engineFetch, raw, 'cpu').toFixed(3)} (same transport; median of ${ROUNDS})`);
    console.log(`raw/engine CPU-per-request ratio (median of ${ROUNDS}): ${ratio(engine, raw, 'cpu').toFixed(3)}`);
    console.log(`engine/raw throughput ratio (median of ${ROUNDS}, ${N} examples x 3 modules, concurrency ${C}): ${ratio(engine, raw, 'rps').toFixed(3)} (goal >= 0.9)`);
  } finally {
    server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
