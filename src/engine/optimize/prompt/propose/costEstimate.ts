import type { Module } from '../../../program/module';
import type { Task } from '../../../tasks/types';
import { formatDatasetSummary, summarizeDataset } from './datasetSummary';
import { formatProgramSummary, summarizeProgram } from './programSummary';
import { proposalMessages } from './proposalPrompt';
import { PROPOSAL_MAX_CHARS, PROPOSAL_MAX_TOKENS } from './proposer';
import { PROPOSAL_TIPS } from './tips';

export interface ProposalCostEstimate {
  lmCalls: number;
  promptTokens: number;
  /** Upper bound: every call may use its whole completion limit. */
  completionTokens: number;
}

/**
 * What instruction proposal costs in one p stage, before anything runs: the
 * real proposal prompts are rendered (about 4 characters per token) with
 * `maxDemos` train examples standing in for the bootstrapped demos, and the
 * longest tip, so the estimate errs high.
 */
export function estimateProposalCost(o: { program: Module; task: Task; perModule: number; maxDemos: number }): ProposalCostEstimate {
  const named = o.program.namedPredictors();
  const calls = named.length * o.perModule;
  if (calls === 0) return { lmCalls: 0, promptTokens: 0, completionTokens: 0 };
  const program = formatProgramSummary(summarizeProgram(o.program));
  const data = formatDatasetSummary(summarizeDataset(o.task.trainset, { inputs: o.task.inputs, seed: 0 }));
  const demos = o.task.trainset.slice(0, o.maxDemos).map((ex) => ({ ...ex }));
  const tip = PROPOSAL_TIPS.reduce<string>((a, t) => (t && t.length > a.length ? t : a), '');
  const perModule = named.map(([module, p]) => {
    const messages = proposalMessages({ module, program, data, currentInstruction: p.instructions, demos, tip, maxChars: PROPOSAL_MAX_CHARS });
    return Math.ceil(messages.reduce((s, m) => s + m.content.length, 0) / 4);
  });
  return { lmCalls: calls, promptTokens: perModule.reduce((s, t) => s + t * o.perModule, 0), completionTokens: calls * PROPOSAL_MAX_TOKENS };
}
