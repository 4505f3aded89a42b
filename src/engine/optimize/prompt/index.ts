export { bootstrapDemoSets, type BootstrapResult, type Demo } from './bootstrap';
export { CategoricalTPE } from './tpe';
export { optimizePrompts, type PromptSearchOptions } from './search';
export { type PromptSearchBudget } from './budget';
export { estimatePromptSearchCost } from './costEstimate';
export { BASELINE_CANDIDATE, type PromptSearchEvent } from './events';
