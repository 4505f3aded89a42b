// Engine overhead benchmark (issue: engine foundation).
// Runs a 3-module program through the engine's evaluator against a local
// zero-latency OpenAI-compatible server, then replays the very same request
// bodies through a raw `openai` client loop at the same concurrency, and prints
// engine throughput / raw throughput (goal >= 0.9). Rounds alternate so both
// sides see the same machine noise; the median ratio is reported. On a shared machine the
// CPU time per request (process.cpuUsage) is printed too: it is less disturbed by other
// processes taking the cores than wall-clock throughput is.
// Usage: npx tsx bench/engineThroughput.ts [--examples 400] [--concurrency 16] [--rounds 5]
//    or: npm run bench:engine -- [same flags]  (the esbuild bundle, as the CLI ships)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { Module, Predict, defineTask, createLM } from '../src/engine/sdk';
import { evaluate } from '../src/engine/evaluate';
import type { LanguageModel, LMRequest, LMResponse } from '../src/engine/lm/types';

const { values } = parseArgs({ options: { examples: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '16' }, rounds: { type: 'string', default: '5' } } });
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

async function startServer(): Promise<{ baseUrl: string; stop: () => void }> {
  // From source (tsx) or from the esbuild bundle (npm run bench:engine), like the engine itself.
  const bundled = __filename.endsWith('.js');
  const args = bundled ? [join(__dirname, 'fakeServerMain.js')] : ['--require', require.resolve('tsx/cjs'), join(__dirname, 'fakeServerMain.ts')];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { baseUrl: JSON.parse(line).baseUrl, stop: () => child.stdin!.end() };
}

// One client for all rounds, as a run has: its connection pool and code paths stay warm.
let client: ReturnType<typeof createLM> | undefined;

/** Runs `round` and returns its requests/s and its CPU µs per request. */
async function measured(requests: number, round: () => Promise<void>): Promise<{ rps: number; cpuPerReq: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await round();
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { rps: requests / secs, cpuPerReq: (cpu.user + cpu.system) / requests };
}

async function engineRound(baseUrl: string, capture?: LMRequest[]): Promise<void> {
  const inner = (client ??= createLM({ baseUrl, model: 'bench-model', maxConcurrency: C }));
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const server = await startServer();
  try {
    const requests: LMRequest[] = [];
    await engineRound(server.baseUrl, requests); // warm-up, and the request bodies to replay
    await rawRound(server.baseUrl, requests);
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const engine = await measured(N * 3, () => engineRound(server.baseUrl));
      const raw = await measured(requests.length, () => rawRound(server.baseUrl, requests));
      ratios.push(engine.rps / raw.rps);
      cpuRatios.push(raw.cpuPerReq / engine.cpuPerReq);
      console.log(
        `round ${i + 1}: engine ${engine.rps.toFixed(0)} req/s (${engine.cpuPerReq.toFixed(0)} µs CPU/req), ` +
          `raw openai ${raw.rps.toFixed(0)} req/s (${raw.cpuPerReq.toFixed(0)} µs CPU/req), ratio ${(engine.rps / raw.rps).toFixed(3)}`,
      );
    }
    console.log(`raw/engine CPU-per-request ratio (median of ${ROUNDS}): ${median(cpuRatios).toFixed(3)}`);
    console.log(`engine/raw throughput ratio (median of ${ROUNDS}, ${N} examples x 3 modules, concurrency ${C}): ${median(ratios).toFixed(3)} (goal >= 0.9)`);
  } finally {
    server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
