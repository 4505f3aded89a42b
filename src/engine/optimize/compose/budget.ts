import type { BudgetSpent } from '../../../protocol/events';
import type { LanguageModel, LMRequest, LMResponse } from '../../lm/types';
import { LMError } from '../../lm/types';
import type { Budgets } from '../mmgrpo/config';

export const NOTHING_SPENT: BudgetSpent = { lmCalls: 0, tokens: 0, seconds: 0 };

export function addSpent(a: BudgetSpent, b: BudgetSpent): BudgetSpent {
  return { lmCalls: a.lmCalls + b.lmCalls, tokens: a.tokens + b.tokens, seconds: a.seconds + b.seconds };
}

/** Why the run's budgets allow no more work, or undefined while they do (0 = no limit). */
export function budgetExhausted(b: Budgets, spent: BudgetSpent): string | undefined {
  if (b.maxLMCalls > 0 && spent.lmCalls >= b.maxLMCalls) return `LM call budget reached (${spent.lmCalls} of ${b.maxLMCalls})`;
  if (b.maxTokens > 0 && spent.tokens >= b.maxTokens) return `token budget reached (${spent.tokens} of ${b.maxTokens})`;
  if (b.maxSeconds > 0 && spent.seconds >= b.maxSeconds) return `time budget reached (${Math.round(spent.seconds)} s of ${b.maxSeconds} s)`;
  return undefined;
}

/**
 * The budgets left for one stage once earlier stages' spending is taken off.
 * A limit that is used up stays positive (1) rather than 0, because 0 means
 * "no limit"; callers check budgetExhausted first.
 */
export function remainingBudgets(b: Budgets, before: BudgetSpent): Budgets {
  const left = (max: number, used: number) => (max > 0 ? Math.max(1e-9, max - used) : 0);
  return {
    maxLMCalls: b.maxLMCalls > 0 ? Math.max(1, Math.floor(left(b.maxLMCalls, before.lmCalls))) : 0,
    maxTokens: b.maxTokens > 0 ? Math.max(1, Math.floor(left(b.maxTokens, before.tokens))) : 0,
    maxSeconds: left(b.maxSeconds, before.seconds),
  };
}

/** Usage as the session's LM client reports it. */
export interface UsageLike {
  calls: number;
  promptTokens: number;
  completionTokens: number;
}

/** Spending of one stage: LM usage since the stage began plus wall time. */
export class StageClock {
  private readonly started = Date.now();
  private readonly u0: UsageLike;

  constructor(private readonly usage: () => UsageLike) {
    this.u0 = usage();
  }

  spent(): BudgetSpent {
    const u = this.usage();
    return {
      lmCalls: u.calls - this.u0.calls,
      tokens: u.promptTokens + u.completionTokens - this.u0.promptTokens - this.u0.completionTokens,
      seconds: (Date.now() - this.started) / 1000,
    };
  }
}

/**
 * A hard stop for work that has no budget checks of its own (bootstrapping):
 * before each call it asks whether the budget is used up and, if so, aborts
 * the stage's signal so the work ends like a cancellation.
 */
export class BudgetedLM implements LanguageModel {
  constructor(
    private readonly inner: LanguageModel,
    private readonly exhausted: () => string | undefined,
    private readonly controller: AbortController,
  ) {}

  get model(): string {
    return this.inner.model;
  }

  /** Why the budget stopped the work, if it did. */
  reason?: string;

  async complete(request: LMRequest, signal?: AbortSignal): Promise<LMResponse> {
    const why = this.exhausted();
    if (why) {
      this.reason ??= why;
      this.controller.abort();
      throw new LMError('aborted', `budget: ${why}`);
    }
    return this.inner.complete(request, signal);
  }
}
