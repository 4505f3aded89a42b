import type { LanguageModel, LMRequest, LMResponse } from '../../lm/types';

/** Usage as the LM client's meter reports it (UsageTotals fits). */
export interface UsageReading {
  calls: number;
  promptTokens: number;
  completionTokens: number;
}

export interface PromptSearchBudget {
  /** Stop before the total LM calls would pass this; 0 or absent = no limit. */
  maxLMCalls?: number;
  /** Stop before prompt + completion tokens would pass this; 0 or absent = no limit. */
  maxTokens?: number;
  /**
   * Usage so far, e.g. the client's meter, so limits can cover work done
   * before the search (bootstrapping). Absent: the search counts its own calls.
   */
  usage?: () => UsageReading;
}

/** Counts what passes through; the search's own meter when the caller gives none. */
export class CountingLM implements LanguageModel {
  calls = 0;
  promptTokens = 0;
  completionTokens = 0;

  constructor(private readonly inner: LanguageModel) {}

  get model(): string {
    return this.inner.model;
  }

  async complete(request: LMRequest, signal?: AbortSignal): Promise<LMResponse> {
    this.calls++;
    const response = await this.inner.complete(request, signal);
    if (!response.cached) {
      this.promptTokens += response.usage.promptTokens;
      this.completionTokens += response.usage.completionTokens;
    }
    return response;
  }

  reading(): UsageReading {
    return { calls: this.calls, promptTokens: this.promptTokens, completionTokens: this.completionTokens };
  }
}

/**
 * Decides between trials whether the next piece of work still fits. Cost per
 * evaluated example is the largest seen so far: demos make prompts longer,
 * so the cheap baseline would under-estimate later candidates.
 */
export class BudgetGuard {
  private callsPerExample = 0;
  private tokensPerExample = 0;

  constructor(
    private readonly budget: PromptSearchBudget | undefined,
    private readonly meter: CountingLM,
  ) {
    for (const k of ['maxLMCalls', 'maxTokens'] as const) {
      const v = budget?.[k];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
        throw new Error(`optimizePrompts: budget.${k} must be a number >= 0 (0 = no limit), got ${String(v)}.`);
      }
    }
  }

  /** Wraps one evaluation so its cost per example feeds the projection. */
  async measure<T>(examples: number, run: () => Promise<T>): Promise<T> {
    const before = this.meter.reading();
    const out = await run();
    const after = this.meter.reading();
    if (examples > 0) {
      const calls = after.calls - before.calls;
      const tokens = after.promptTokens + after.completionTokens - before.promptTokens - before.completionTokens;
      this.callsPerExample = Math.max(this.callsPerExample, calls / examples);
      this.tokensPerExample = Math.max(this.tokensPerExample, tokens / examples);
    }
    return out;
  }

  /** True when evaluating `examples` more examples is projected to stay within every limit. */
  canAfford(examples: number): boolean {
    const used = this.budget?.usage ? this.budget.usage() : this.meter.reading();
    const maxCalls = this.budget?.maxLMCalls ?? 0;
    const maxTokens = this.budget?.maxTokens ?? 0;
    if (maxCalls > 0 && used.calls + Math.ceil(examples * this.callsPerExample) > maxCalls) return false;
    const tokens = used.promptTokens + used.completionTokens;
    if (maxTokens > 0 && tokens + Math.ceil(examples * this.tokensPerExample) > maxTokens) return false;
    return true;
  }
}
