/**
 * Constrained vs unconstrained decoding on the local backend (prints ratios, never asserts on time).
 *   npx tsx bench/localConstrained.ts [--model smollm2] [--rounds 2]
 *
 * The same Banking77-sized chat requests (system prompt, one utterance),
 * greedy, 4 in flight: free text vs guided_choice (12 intents, a logit bias
 * over the choices' tokens) vs response_format json_schema (an object with a
 * literal field, a llama.cpp grammar). Free text and JSON generate max_tokens
 * 12; a choice ends when it is spelled (3-5 tokens), so its generated tokens/s
 * carries more of the prompt's cost per token: the requests/s column shows
 * what a caller waits. Goal: tokens/s ratio >= 0.8.
 */
import { createLocalBackend } from '../src/embedded/local/localBackend';
import type { GenerateRequest } from '../src/embedded/backend';
import { resolveModelFile } from '../src/engine/models';
import { median } from './lib/stats';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const INTENTS = ['card_arrival', 'lost_or_stolen_card', 'change_pin', 'top_up_failed', 'automatic_top_up', 'top_up_limits', 'cancel_transfer', 'pending_transfer', 'declined_transfer', 'atm_support', 'cash_withdrawal', 'exchange_rate'];
const SYSTEM = `Classify the customer message into one of these intents: ${INTENTS.join(', ')}.`;
const SCHEMA = { type: 'object', properties: { intent: { enum: INTENTS } }, required: ['intent'], additionalProperties: false };
const UTTERANCES = ['My card has not arrived.', 'I lost my card.', 'How do I change my PIN?', 'My top up failed.', 'Cancel my transfer please.', 'Why is my transfer pending?', 'The ATM ate my card.', 'What is the exchange rate?'];

type Side = [name: string, extra: Partial<GenerateRequest>];
const SIDES: Side[] = [['free text', {}], ['guided_choice', { guidedChoice: INTENTS }], ['json_schema', { responseFormat: { type: 'json_schema', name: 'intent', schema: SCHEMA } }]];

async function main(): Promise<void> {
  const backend = await createLocalBackend({ modelPath: resolveModelFile(opt('model', 'smollm2')) });
  const rates: Record<string, number[]> = {};
  const perSecond: Record<string, number[]> = {};
  try {
    for (let round = 0; round < Number(opt('rounds', '2')); round++) {
      const order = round % 2 ? [...SIDES].reverse() : SIDES;
      for (const [name, extra] of order) {
        const t0 = performance.now();
        const results = await Promise.all(UTTERANCES.map((u) => backend.generate({
          temperature: 0, top_p: 1, n: 1, max_tokens: 12, logprobs: false, top_logprobs: 0,
          messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: u }], ...extra,
        })));
        const tokens = results.reduce((s, r) => s + r.completionTokens, 0);
        const seconds = (performance.now() - t0) / 1000;
        (rates[name] ??= []).push(tokens / seconds);
        (perSecond[name] ??= []).push(results.length / seconds);
      }
    }
  } finally {
    await backend.dispose();
  }
  const free = median(rates['free text']);
  console.log(`local backend, constrained vs unconstrained generated tokens/s (medians of ${rates['free text'].length} rounds, ${UTTERANCES.length} requests each):`);
  const freeRequests = median(perSecond['free text']);
  for (const [name] of SIDES) {
    const [rate, requests] = [median(rates[name]), median(perSecond[name])];
    console.log(`  ${name}: ${rate.toFixed(1)} tokens/s -> ratio ${(rate / free).toFixed(3)}; ${requests.toFixed(2)} requests/s -> ratio ${(requests / freeRequests).toFixed(3)}`);
  }
}

void main();
