export { bootstrapDemoSets, type BootstrapOptions, type BootstrapResult, type Demo } from './bootstrap';
export { CategoricalTPE, type CategoricalTPEOptions } from './tpe';
export { optimizePrompts, type PromptSearchOptions, type PromptSearchResult, type TrialRecord } from './search';
export { type PromptSearchBudget, type UsageReading } from './budget';
export { estimatePromptSearchCost, type PromptSearchCostInput, type PromptSearchCostEstimate } from './costEstimate';
export { BASELINE_CANDIDATE, trialCandidateId, type PromptSearchEvent, type PromptParams, type ModuleChoice } from './events';
export * from './propose';
