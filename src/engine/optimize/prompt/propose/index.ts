export { proposeInstructions, PROPOSAL_MAX_TOKENS, PROPOSAL_MAX_CHARS, type ProposeOptions, type ProposalResult, type ProposalStats } from './proposer';
export { summarizeProgram, formatProgramSummary, type ProgramSummary, type ModuleSummary, type DataFlowEdge } from './programSummary';
export { summarizeDataset, formatDatasetSummary, type DatasetSummary, type FieldStats } from './datasetSummary';
export { parseProposal, type ProposalParse } from './parseProposal';
export { proposalMessages, PROPOSAL_FIELD, type ProposalPromptInput } from './proposalPrompt';
export { PROPOSAL_TIPS, pickTip } from './tips';
export { estimateProposalCost, type ProposalCostEstimate } from './costEstimate';
