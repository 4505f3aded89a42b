// What AsyncLocalStorage costs code that never uses it, on Node 20.
// Once any AsyncLocalStorage is in use, Node 20 runs async hooks on every promise in the
// process (Node 22+ can use AsyncContextFrame instead). The engine needs one for its ambient
// program context (issue: engine foundation), so in the engine's process the openai SDK's
// own ~140 promises per request pay that tax too. This replays one raw `openai` loop with the
// hooks off and on, alternating, and prints the CPU per request of each and their ratio.
// engineThroughput.ts runs all its sides with the hooks on; this is the correction for a
// process that has none.
// Usage: npx tsx bench/asyncHooksCost.ts [--requests 3000] [--concurrency 16] [--rounds 8]
import { AsyncLocalStorage } from 'node:async_hooks';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { startFakeServer } from './lib/fakeServer';
import { median } from './lib/stats';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '3000' }, concurrency: { type: 'string', default: '16' }, rounds: { type: 'string', default: '8' } } });
const N = Number(values.requests);
const C = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const messages = [
  { role: 'system' as const, content: 'Answer format: write each output field after its marker. '.repeat(6) },
  { role: 'user' as const, content: '[[ ## question ## ]]\nWhat is item 1?' },
];

async function rawRound(client: OpenAI): Promise<number> {
  let next = 0;
  const c0 = process.cpuUsage();
  const worker = async () => {
    while (next < N) {
      next++;
      await client.chat.completions.create({ model: 'bench-model', messages, temperature: 0, max_tokens: 64 });
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
  const cpu = process.cpuUsage(c0);
  return (cpu.user + cpu.system) / N;
}

async function main() {
  const server = await startFakeServer(__filename, __dirname);
  const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'sk-no-key', maxRetries: 0 });
  const storage = new AsyncLocalStorage<object>();
  try {
    await rawRound(client); // warm-up
    const off: number[] = [];
    const on: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const hooks = i % 2 === 1;
      // enterWith turns the hooks on for the process; disable() (the only storage) turns them off.
      if (hooks) storage.enterWith({});
      else storage.disable();
      const cpu = await rawRound(client);
      (hooks ? on : off).push(cpu);
      console.log(`round ${i + 1}: ${hooks ? 'hooks on ' : 'hooks off'} ${cpu.toFixed(0)} µs CPU/req`);
    }
    console.log(`raw openai CPU per request: hooks off ${median(off).toFixed(0)} µs, on ${median(on).toFixed(0)} µs; off/on ${(median(off) / median(on)).toFixed(3)} (median of ${ROUNDS / 2} each)`);
  } finally {
    server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
