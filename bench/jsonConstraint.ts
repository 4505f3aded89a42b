/**
 * Cost of response_format constrained decoding on the embedded tiny model
 * (prints ratios, never asserts on time).
 *   npx tsx bench/jsonConstraint.ts
 *
 * The same requests (prompt, seeds, max_tokens, concurrency) are sampled
 * unconstrained and under a response_format, interleaved round by round so
 * both see the same machine load; the figure is the median of per-round
 * constrained/unconstrained tokens/s ratios (goal: >= 0.8). Like for like
 * means equal decode work: the seeds are those whose unconstrained sample
 * runs to max_tokens (a sequence that ends early shrinks the batch, and
 * ragged batches decode markedly slower per token on this backend), and the
 * first two schemas cannot complete within max_tokens either. They isolate
 * the masking cost inside a string (~150 bytes stay allowed) and among digits
 * and commas. The verdict schema is a realistic one: its keys and enum
 * values are forced bytes (no sampling work) and its outputs may end early,
 * so its ratio is indicative only. The automaton's own per-byte cost is
 * measured apart, without the model.
 */
import type { GenerateRequest, ResponseFormat } from '../src/embedded/backend';
import { compileJsonConstraint } from '../src/embedded/jsonConstraint';
import { Rng } from '../src/embedded/rng';
import { createTinyBackend, type TinyBackend } from '../src/embedded/tinyBackend';
import { SPECIAL } from '../src/embedded/tokenizer';
import { median } from './lib/stats';

const schema = (name: string, body: Record<string, unknown>): ResponseFormat => ({ type: 'json_schema', name, schema: body });
const TEXT_FIELD = schema('text', { type: 'object', properties: { text: { type: 'string', minLength: 2000 } }, required: ['text'], additionalProperties: false });
const INTEGERS = schema('integers', { type: 'array', items: { type: 'integer' }, minItems: 1000 });
const VERDICT = schema('verdict', {
  type: 'object',
  properties: {
    label: { type: 'string', enum: ['positive', 'negative', 'neutral'] },
    score: { type: 'integer' },
    confident: { type: 'boolean' },
    reason: { type: 'string', maxLength: 40 },
    tags: { type: 'array', items: { type: ['string', 'null'], maxLength: 8 }, maxItems: 3 },
  },
  required: ['label', 'score', 'confident', 'reason', 'tags'],
  additionalProperties: false,
});

const text = (rng: Rng, n: number) => Array.from({ length: n }, () => 'abcdefghij klmnopqrstuvwxyz.,'[rng.int(29)]).join('');

interface Run { tokensPerSecond: number; tokensPerCompletion: number }

async function run(b: TinyBackend, reqs: GenerateRequest[]): Promise<Run> {
  const t0 = performance.now();
  const results = await Promise.all(reqs.map((r) => b.generate(r)));
  const s = (performance.now() - t0) / 1000;
  const tokens = results.reduce((a, r) => a + r.completionTokens, 0);
  return { tokensPerSecond: tokens / s, tokensPerCompletion: tokens / reqs.length };
}

const MAX_TOKENS = 64;

function request(prompt: GenerateRequest['messages'], seed: number, responseFormat?: ResponseFormat): GenerateRequest {
  return { messages: prompt, temperature: 1, top_p: 1, max_tokens: MAX_TOKENS, n: 1, seed, logprobs: true, top_logprobs: 0, ...(responseFormat ? { responseFormat } : {}) };
}

/** Seeds whose unconstrained completion does not end before max_tokens (sampling is seeded, so this holds on every rerun). */
async function fullLengthSeeds(b: TinyBackend, prompt: GenerateRequest['messages'], count: number): Promise<number[]> {
  const seeds: number[] = [];
  for (let next = 1; seeds.length < count; next += 16) {
    const batch = Array.from({ length: 16 }, (_, i) => next + i);
    const results = await Promise.all(batch.map((seed) => b.generate(request(prompt, seed))));
    batch.forEach((seed, i) => { if (results[i].completionTokens === MAX_TOKENS) seeds.push(seed); });
  }
  return seeds.slice(0, count);
}

async function benchSampling(b: TinyBackend, prompt: GenerateRequest['messages'], seeds: number[], format: ResponseFormat, label: string): Promise<void> {
  for (const concurrency of [1, 16]) {
    const reqs = (round: number, responseFormat?: ResponseFormat) => seeds.slice(round * concurrency, (round + 1) * concurrency).map((seed) => request(prompt, seed, responseFormat));
    await run(b, reqs(0)); // warm-up, both paths
    await run(b, reqs(0, format));
    const free: Run[] = [];
    const constrained: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      free.push(await run(b, reqs(round)));
      constrained.push(await run(b, reqs(round, format)));
    }
    const rate = (rs: Run[]) => `${median(rs.map((r) => r.tokensPerSecond)).toFixed(0)} tokens/s (${median(rs.map((r) => r.tokensPerCompletion)).toFixed(0)} per completion)`;
    const ratio = median(constrained.map((c, i) => c.tokensPerSecond / free[i].tokensPerSecond));
    console.log(`${label}, concurrency ${concurrency}: unconstrained ${rate(free)}, constrained ${rate(constrained)}, ratio ${ratio.toFixed(2)}`);
  }
}

/** Mask + step cost per byte, on random walks the automaton itself allows (no model). */
function benchAutomaton(format: ResponseFormat, label: string): void {
  const c = compileJsonConstraint(format);
  const rng = new Rng(3);
  let bytes = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 500) {
    let s = c.start;
    for (let i = 0; i < 200; i++) {
      const tokens = c.allowedTokens(s);
      const t = tokens[rng.int(tokens.length)];
      if (t === SPECIAL.endOfTurn) break;
      s = c.step(s, t)!;
      bytes++;
    }
  }
  const us = ((performance.now() - t0) * 1000) / bytes;
  console.log(`${label} automaton alone: ${us.toFixed(2)} us per byte (mask + step)`);
}

const ROUNDS = 4;

async function main(): Promise<void> {
  for (const [format, label] of [[VERDICT, 'verdict schema'], [{ type: 'json_object' }, 'json_object']] as const) benchAutomaton(format, label);
  const b = await createTinyBackend();
  const rng = new Rng(2);
  const prompt = [{ role: 'system' as const, content: text(rng, 260) }, { role: 'user' as const, content: text(rng, 40) }];
  const seeds = await fullLengthSeeds(b, prompt, 16 * ROUNDS);
  console.log(`sampling, ~300-token prompt, max_tokens ${MAX_TOKENS}, temperature 1 (goal: ratio >= 0.8)`);
  await benchSampling(b, prompt, seeds, TEXT_FIELD, 'string field');
  await benchSampling(b, prompt, seeds, INTEGERS, 'integer array');
  await benchSampling(b, prompt, seeds, VERDICT, 'verdict schema (indicative)');
  await b.dispose();
}

void main();
