export { parseStrategy, formatStrategy, STRATEGIES, StrategyError, type StagePlan, type StageKind } from './strategy';
export { PROMPT_STAGE_DEFAULTS, resolvePromptSettings, type PromptStageSettings } from './settings';
export { runPromptStage, type PromptStageOptions, type PromptStageOutcome } from './promptStage';
export { runComposition, bestOf, type ComposeRunOptions, type ComposeRunResult, type StageResult } from './composeRun';
export { estimateCompositionCost } from './costEstimate';
export type { SessionOpener } from './sessions';
export { compositionNeedsTrainer, openRemoteInference, type InferenceOpener, type OpenedInference } from './remoteInference';
export { planProposer, proposalActive, promptApiKeyFromEnv, PROMPT_API_KEY_ENV, type ProposerPlan } from './proposerSetup';
export { proposeForStage, type InstructionProposer, type StageProposal } from './proposalStep';
