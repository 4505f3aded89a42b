import { costOf, type UsagePrices } from '../../lm/usage';

export interface PromptSearchCostInput {
  /** LM calls per program run (number of module calls, counting repeated calls). */
  modules: number;
  trainSize: number;
  /** 0 when the task has no valset: the search then evaluates on the trainset. */
  valSize: number;
  trials: number;
  minibatchSize: number;
  fullEvalEvery: number;
  avgPromptTokens: number;
  avgCompletionTokens: number;
  prices?: UsagePrices;
  /** Count teacher runs over the whole trainset for bootstrapping (default true). */
  bootstrap?: boolean;
}

export interface PromptSearchCostEstimate {
  /** Upper bounds: early stops and repeated candidates only lower them. */
  lmCalls: number;
  promptTokens: number;
  completionTokens: number;
  cost?: number;
  /** Program runs per phase, so a dry run can show where the calls go. */
  runs: { bootstrap: number; baseline: number; minibatch: number; fullEval: number };
}

/** What a prompt search would cost at most; pure, for `--dry-run`. */
export function estimatePromptSearchCost(input: PromptSearchCostInput): PromptSearchCostEstimate {
  checkInput(input);
  const evalSize = input.valSize > 0 ? input.valSize : input.trainSize;
  const fullEvals = Math.ceil(input.trials / input.fullEvalEvery);
  const runs = {
    bootstrap: input.bootstrap === false ? 0 : input.trainSize,
    baseline: evalSize,
    minibatch: input.trials * Math.min(input.minibatchSize, evalSize),
    fullEval: fullEvals * evalSize,
  };
  const lmCalls = (runs.bootstrap + runs.baseline + runs.minibatch + runs.fullEval) * input.modules;
  const promptTokens = Math.round(lmCalls * input.avgPromptTokens);
  const completionTokens = Math.round(lmCalls * input.avgCompletionTokens);
  const out: PromptSearchCostEstimate = { lmCalls, promptTokens, completionTokens, runs };
  const cost = input.prices ? costOf(promptTokens, completionTokens, input.prices) : undefined;
  if (cost !== undefined) out.cost = cost;
  return out;
}

function checkInput(input: PromptSearchCostInput): void {
  const num = (name: keyof PromptSearchCostInput, min: number, whole: boolean): void => {
    const v = input[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (whole && !Number.isInteger(v))) {
      throw new Error(`estimatePromptSearchCost: \`${name}\` must be a ${whole ? 'whole ' : ''}number >= ${min}, got ${String(v)}.`);
    }
  };
  for (const k of ['modules', 'trainSize', 'valSize', 'trials'] as const) num(k, 0, true);
  for (const k of ['minibatchSize', 'fullEvalEvery'] as const) num(k, 1, true);
  for (const k of ['avgPromptTokens', 'avgCompletionTokens'] as const) num(k, 0, false);
}
