import { strict as assert } from 'node:assert';
import { ChatAdapter } from '../../../src/engine/adapters';
import { createLM, mulberry32, type OpenAICompatibleLM } from '../../../src/engine/lm';
import { Module, Predict, defineTask } from '../../../src/engine/sdk';
import { FAULT_KINDS, FaultProxy, RETRYABLE_FAULTS, type FaultKind, type FaultProxyStats } from '../../fixtures/faultProxy';

/** Two modules, so a fault in either call of a rollout is exercised. */
export class Pick extends Module {
  first = new Predict("x -> a: Literal['p', 'q', 'r']");
  second = new Predict("x, a -> b: Literal['p', 'q']");
  async forward(input: { x: string }) {
    const { a } = await this.first.forward(input);
    return this.second.forward({ x: input.x, a });
  }
}

const words = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ x: `${prefix}${i}`, b: 'q' }));

export const faultTask = defineTask({
  name: 'faults',
  program: new Pick(),
  inputs: ['x'],
  trainset: words(40, 'train-'),
  valset: words(3, 'val-'),
  metric: (ex, pred) => (pred.b === ex.b ? 1 : 0),
});

/** ~17% of chat requests fail, every kind represented; trainer routes are never touched. */
export const FAULT_RATES: Record<FaultKind, number> = {
  server_error: 0.04,
  rate_limit: 0.02,
  timeout: 0.03,
  reset: 0.03,
  malformed: 0.02,
  truncated: 0.03,
};

export const CLIENT = { timeoutMs: 300, maxRetries: 4 } as const;

export function chatOnly(_method: string, path: string): boolean {
  return path.endsWith('/chat/completions');
}

export function faultProxy(target: string, seed: number): FaultProxy {
  return new FaultProxy({ target, rates: FAULT_RATES, seed, injectOn: chatOnly, holdMs: 1000, maxRetryAfterSeconds: 1 });
}

/** The product's client, with a short timeout and a tiny backoff so a faulty run stays quick. */
export function proxiedLM(baseUrl: string, model: string, apiKey: string): OpenAICompatibleLM {
  return createLM(
    { baseUrl, model, apiKey, timeoutMs: CLIENT.timeoutMs, maxRetries: CLIENT.maxRetries, maxConcurrency: 4 },
    { backoff: { baseDelayMs: 5, maxDelayMs: 40 }, rng: mulberry32(99) },
  );
}

export const guided = () => new ChatAdapter({ guidedChoice: true });

/** A unit of work (example or rollout) as recorded in the run. */
export interface Unit {
  score: number;
  error?: string;
}

const FINAL_LM_ERROR = /^(The LM server at .* (failed with HTTP 5\d\d|kept rate-limiting|did not answer within|sent an answer that is not an OpenAI chat completion)|The connection to the LM server at .* broke)/;
const EXHAUSTED = new RegExp(`after ${CLIENT.maxRetries + 1} attempts`);

/**
 * The accounting every faulty run must satisfy: each unit is a success or a
 * scored failure with the client's final error; failures are exactly the
 * calls that could not be saved; retries match the retryable faults.
 */
export function checkAccounting(units: Unit[], expected: number, failureScore: number, proxy: FaultProxy, lm: OpenAICompatibleLM): Report {
  assert.equal(units.length, expected, 'every unit is recorded');
  const failed = units.filter((u) => u.error !== undefined);
  const ok = units.filter((u) => u.error === undefined);
  assert.equal(ok.length + failed.length, expected);
  for (const u of failed) {
    assert.equal(u.score, failureScore, `a failure scores failureScore: ${u.error}`);
    // Each message names the LM server and says what failed after retries, nothing else.
    assert.match(u.error!, FINAL_LM_ERROR, u.error);
  }
  const stats = proxy.stats();
  const exhausted = failed.filter((u) => EXHAUSTED.test(u.error!)).length;
  const notJson = failed.filter((u) => /not an OpenAI chat completion/.test(u.error!)).length;
  // Malformed JSON is not retried, so each one fails its unit; nothing else fails one except exhausted retries.
  assert.equal(notJson, stats.injected.malformed, 'one failed unit per malformed answer');
  assert.equal(failed.length, stats.injected.malformed + exhausted, 'failures are exactly the unsaveable calls');
  const retryable = FAULT_KINDS.filter((k) => RETRYABLE_FAULTS.has(k)).reduce((s, k) => s + stats.injected[k], 0);
  const retries = lm.usage.snapshot().retries;
  const savedByRetry = retriedThenPassed(proxy);
  assert.ok(retries >= savedByRetry, `retries ${retries} >= faults followed by success ${savedByRetry}`);
  assert.ok(retries >= retryable - exhausted, `retries ${retries} >= retryable faults ${retryable} - exhausted ${exhausted}`);
  assert.ok(retries <= retryable + stats.clientAborted, `every retry has a cause (${retries} <= ${retryable} + ${stats.clientAborted})`);
  // Every answer that reached the client intact is one recorded, successful call.
  assert.equal(stats.passed, lm.usage.snapshot().calls, 'intact relays = successful LM calls');
  return { stats, retries, failed: failed.length, exhausted, savedByRetry };
}

export interface Report {
  stats: FaultProxyStats;
  retries: number;
  failed: number;
  exhausted: number;
  savedByRetry: number;
}

/** Retryable faults on a request body that later went through intact (attempts of one call share a body). */
export function retriedThenPassed(proxy: FaultProxy): number {
  let count = 0;
  const pending = new Map<string, number>();
  for (const e of proxy.log) {
    if (e.fault && RETRYABLE_FAULTS.has(e.fault)) pending.set(e.bodyKey, (pending.get(e.bodyKey) ?? 0) + 1);
    if (e.passed) {
      count += pending.get(e.bodyKey) ?? 0;
      pending.delete(e.bodyKey);
    }
  }
  return count;
}
