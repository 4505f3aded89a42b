export { parseStrategy, StrategyError } from './strategy';
export { resolvePromptSettings, type PromptStageSettings } from './settings';
export { runComposition, type ComposeRunResult } from './composeRun';
export { estimateCompositionCost } from './costEstimate';
export { compositionNeedsTrainer } from './remoteInference';
export { promptApiKeyFromEnv } from './proposerSetup';
