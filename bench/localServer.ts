/**
 * The local backend's server vs calling node-llama-cpp directly (prints ratios, never asserts on time).
 *   npx tsx bench/localServer.ts [--model smollm2] [--rounds 2] [--tokens 48]
 *
 * Same model file, same raw prompts, greedy decoding, same max tokens and CPU
 * threads. The server side is `mmgrpo serve --backend local` in a child
 * process, driven by the openai SDK over HTTP with streaming (time to first
 * token = first content delta); the direct side is LlamaCompletion on the
 * sequences of one context in this process with the library's own token
 * loop, sequence.evaluate (first token = the first one it yields).
 * Sides alternate per round and never overlap. Goal: server/direct >= 0.9
 * for generated tokens/s at concurrency 1 and 8, and for time to first token
 * (direct TTFT / server TTFT).
 */
import OpenAI from 'openai';
import type { LlamaContextSequence } from 'node-llama-cpp';
import { startLocalProcess } from '../src/engine/backends/localProcess';
import { loadModel, disposeModel } from '../src/embedded/local/llamaRuntime';
import { resolveModelFile } from '../src/engine/models';
import { median } from './lib/stats';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const MODEL = opt('model', 'smollm2');
const ROUNDS = Number(opt('rounds', '2'));
const TOKENS = Number(opt('tokens', '48'));
const SUBJECTS = ['the sea', 'a library', 'winter', 'bread', 'trains', 'a garden', 'the moon', 'music', 'rivers', 'chess', 'bees', 'mountains', 'rain', 'clocks', 'maps', 'salt'];
const prompts = SUBJECTS.map((s) => `Here is a long, detailed essay about ${s}, written for curious readers.\n\n`);

interface Sample {
  tokens: number;
  seconds: number;
  ttft: number[];
}

async function runAll(concurrency: number, n: number, one: (prompt: string) => Promise<{ tokens: number; ttft: number }>): Promise<Sample> {
  const ttft: number[] = [];
  let tokens = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const r = await one(prompts[next++ % prompts.length]);
        tokens += r.tokens;
        ttft.push(r.ttft);
      }
    }),
  );
  return { tokens, seconds: (performance.now() - t0) / 1000, ttft };
}

function serverSide(client: OpenAI, model: string) {
  return async (prompt: string) => {
    const t0 = performance.now();
    let first = 0;
    let tokens = 0;
    // repetition_penalty 1: the same decoding as the direct side (the server's default penalty would change the tokens).
    const body = { model, prompt, max_tokens: TOKENS, temperature: 0, stream: true as const, stream_options: { include_usage: true }, repetition_penalty: 1 };
    const stream = await client.completions.create(body);
    for await (const chunk of stream) {
      if (!first && chunk.choices[0]?.text) first = performance.now() - t0;
      if (chunk.usage) tokens = chunk.usage.completion_tokens;
    }
    return { tokens, ttft: first / 1000 };
  };
}

async function directSide(threads: number) {
  // The server's own defaults (sequences, context per sequence, threads): the same llama.cpp context on both sides.
  const m = await loadModel({ modelPath: resolveModelFile(MODEL), threads });
  const free: LlamaContextSequence[] = Array.from({ length: m.context.totalSequences }, () => m.context.getSequence());
  // More requests than sequences wait for one, as in the server's pool.
  const waiting: Array<(s: LlamaContextSequence) => void> = [];
  const take = () => (free.length > 0 ? Promise.resolve(free.pop()!) : new Promise<LlamaContextSequence>((r) => waiting.push(r)));
  const give = (s: LlamaContextSequence) => (waiting.length > 0 ? waiting.shift()!(s) : free.push(s));
  // The library's own token loop (sequence.evaluate), greedy, keeping the prompt prefix a sequence
  // already holds as the server's pool does: no HTTP, no JSON, none of our backend's code.
  const one = async (prompt: string) => {
    const seq = await take();
    const t0 = performance.now();
    let first = 0;
    let tokens = 0;
    try {
      const bos = m.model.tokens.bos;
      const input = [...(m.model.tokens.shouldPrependBosToken && bos !== null ? [bos] : []), ...m.model.tokenize(prompt)];
      const shared = Math.min(seq.compareContextTokens(input).firstDifferentIndex, input.length - 1);
      if (shared < seq.nextTokenIndex) await seq.eraseContextTokenRanges([{ start: shared, end: seq.nextTokenIndex }]);
      for await (const token of seq.evaluate(input.slice(seq.nextTokenIndex), { temperature: 0, topK: 0 })) {
        if (m.model.isEogToken(token)) break;
        if (!first) first = performance.now() - t0;
        if (++tokens >= TOKENS) break;
      }
    } finally {
      give(seq);
    }
    return { tokens, ttft: first / 1000 };
  };
  return { one, close: () => disposeModel(m) };
}

function line(label: string, server: Sample[], direct: Sample[]): void {
  const rate = (s: Sample[]) => median(s.map((x) => x.tokens / x.seconds));
  const ttft = (s: Sample[]) => median(s.flatMap((x) => x.ttft));
  const [rs, rd, ts, td] = [rate(server), rate(direct), ttft(server), ttft(direct)];
  console.log(`${label}: tokens/s server ${rs.toFixed(1)} direct ${rd.toFixed(1)} -> ratio ${(rs / rd).toFixed(3)}; TTFT server ${(ts * 1000).toFixed(0)} ms direct ${(td * 1000).toFixed(0)} ms -> ratio ${(td / ts).toFixed(3)}`);
}

async function main(): Promise<void> {
  const threads = 2;
  const proc = await startLocalProcess({ model: MODEL });
  const client = new OpenAI({ baseURL: proc.baseUrl, apiKey: proc.token, maxRetries: 0, timeout: 600_000 });
  const direct = await directSide(threads);
  const results: Record<number, { server: Sample[]; direct: Sample[] }> = { 1: { server: [], direct: [] }, 8: { server: [], direct: [] } };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of [1, 8]) {
        const n = c === 1 ? 4 : 16;
        const sides: Array<['server' | 'direct', (p: string) => Promise<{ tokens: number; ttft: number }>]> = [['server', serverSide(client, proc.model)], ['direct', direct.one]];
        if (round % 2) sides.reverse();
        for (const [name, fn] of sides) results[c][name].push(await runAll(c, n, fn));
      }
    }
  } finally {
    await direct.close();
    await proc.stop();
  }
  console.log(`local server vs node-llama-cpp directly: ${MODEL}, ${TOKENS} tokens per request, greedy, ${threads} threads, ${ROUNDS} rounds (medians)`);
  line('concurrency 1', results[1].server, results[1].direct);
  line('concurrency 8', results[8].server, results[8].direct);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
