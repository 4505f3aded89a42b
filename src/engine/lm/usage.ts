import type { TokenUsage } from '../../protocol/lm';
import type { UsageTotals } from '../../protocol/events';

export type { UsageTotals };

export interface UsagePrices {
  promptPricePerMTok?: number;
  completionPricePerMTok?: number;
}

/** What one finished call contributes to the totals. */
export interface UsageRecord {
  usage: TokenUsage;
  cached: boolean;
  retries: number;
}

export type UsageListener = (totals: UsageTotals) => void;

/**
 * Running totals of LM calls. Cached answers count as calls but add no tokens or cost,
 * because nothing was spent on the server for them.
 */
export class UsageMeter {
  private calls = 0;
  private promptTokens = 0;
  private completionTokens = 0;
  private cachedCalls = 0;
  private retries = 0;
  private readonly listeners = new Set<UsageListener>();

  constructor(private readonly prices: UsagePrices = {}) {
    for (const [name, v] of Object.entries(prices)) {
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
        throw new Error(`${name} must be a number >= 0 (price per 1M tokens), got ${String(v)}.`);
      }
    }
  }

  record(rec: UsageRecord): void {
    this.calls++;
    this.retries += rec.retries;
    if (rec.cached) {
      this.cachedCalls++;
    } else {
      this.promptTokens += rec.usage.promptTokens;
      this.completionTokens += rec.usage.completionTokens;
    }
    this.emit();
  }

  /** Counts retries of a call that failed in the end (it still cost server work). */
  recordFailedRetries(retries: number): void {
    if (retries <= 0) return;
    this.retries += retries;
    this.emit();
  }

  snapshot(): UsageTotals {
    const totals: UsageTotals = {
      calls: this.calls,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      cachedCalls: this.cachedCalls,
      retries: this.retries,
    };
    const cost = costOf(this.promptTokens, this.completionTokens, this.prices);
    if (cost !== undefined) totals.cost = cost;
    return totals;
  }

  /** Calls `listener` after every change; returns an unsubscribe function. */
  subscribe(listener: UsageListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(): void {
    if (this.listeners.size === 0) return;
    const snap = this.snapshot();
    for (const l of this.listeners) l(snap);
  }
}

/** Cost in the price's money unit, or undefined when no price is set. */
export function costOf(promptTokens: number, completionTokens: number, prices: UsagePrices): number | undefined {
  const { promptPricePerMTok: p, completionPricePerMTok: c } = prices;
  if (p === undefined && c === undefined) return undefined;
  return (promptTokens * (p ?? 0) + completionTokens * (c ?? 0)) / 1_000_000;
}
