// Engine overhead benchmark (issue: engine foundation).
// Runs a 3-module program through the engine's evaluator against a local
// zero-latency OpenAI-compatible server, then replays the very same request
// bodies through a raw `openai` client loop at the same concurrency, and prints
// engine throughput / raw throughput (goal >= 0.9). Rounds alternate so both
// sides see the same machine noise; the median ratio is reported.
// Usage: npx tsx bench/engineThroughput.ts [--examples 400] [--concurrency 16] [--rounds 5]
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
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), join(__dirname, 'fakeServerMain.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { baseUrl: JSON.parse(line).baseUrl, stop: () => child.stdin!.end() };
}

// One client for all rounds, as a run has: its connection pool and code paths stay warm.
let client: ReturnType<typeof createLM> | undefined;

async function engineRound(baseUrl: string, capture?: LMRequest[]): Promise<number> {
  const inner = (client ??= createLM({ baseUrl, model: 'bench-model', maxConcurrency: C }));
  const lm: LanguageModel = capture
    ? { model: inner.model, complete: (r: LMRequest, s?: AbortSignal): Promise<LMResponse> => (capture.push(r), inner.complete(r, s)) }
    : inner;
  const t0 = performance.now();
  const r = await evaluate({ task, program: task.program.clone(), dataset: task.trainset, lm, concurrency: C, sampling: { temperature: 0, max_tokens: 64 } });
  const secs = (performance.now() - t0) / 1000;
  if (r.score !== 1) throw new Error(`engine round scored ${r.score}; the benchmark program is miswired`);
  return (N * 3) / secs;
}

async function rawRound(baseUrl: string, requests: LMRequest[]): Promise<number> {
  const client = new OpenAI({ baseURL: baseUrl, apiKey: 'sk-no-key', maxRetries: 0 });
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++];
      await client.chat.completions.create({ model: 'bench-model', messages: r.messages, temperature: r.temperature, max_tokens: r.max_tokens });
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, worker));
  return requests.length / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const server = await startServer();
  try {
    const requests: LMRequest[] = [];
    await engineRound(server.baseUrl, requests); // warm-up, and the request bodies to replay
    await rawRound(server.baseUrl, requests);
    const ratios: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const engine = await engineRound(server.baseUrl);
      const raw = await rawRound(server.baseUrl, requests);
      ratios.push(engine / raw);
      console.log(`round ${i + 1}: engine ${engine.toFixed(0)} req/s, raw openai ${raw.toFixed(0)} req/s, ratio ${(engine / raw).toFixed(3)}`);
    }
    console.log(`engine/raw throughput ratio (median of ${ROUNDS}, ${N} examples x 3 modules, concurrency ${C}): ${median(ratios).toFixed(3)} (goal >= 0.9)`);
  } finally {
    server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
