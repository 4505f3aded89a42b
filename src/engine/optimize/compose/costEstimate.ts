import type { Adapter } from '../../adapters';
import type { Module } from '../../program/module';
import { inputsOf } from '../../tasks/defineTask';
import type { Task } from '../../tasks/types';
import type { MMGRPOConfig } from '../mmgrpo/config';
import { estimateTrainingCost, withCost, type Prices, type StageEstimate } from '../mmgrpo/costEstimate';
import { estimatePromptSearchCost } from '../prompt/costEstimate';
import { estimateProposalCost } from '../prompt/propose';
import { proposalActive } from './proposerSetup';
import type { PromptStageSettings } from './settings';
import type { StagePlan } from './strategy';
import { validationExamples } from '../../tasks/valset';

export interface CompositionCostInput {
  plan: readonly StagePlan[];
  program: Module;
  task: Task;
  adapter: Adapter;
  config: MMGRPOConfig;
  prompt: PromptStageSettings;
  prices?: Prices;
}

/**
 * One row per stage, before anything runs. p stages: bootstrapping over the
 * trainset, the search (upper bound) and the closing val evaluation, with
 * prompts measured at the full demo count, plus a row of their own for the
 * prompt model's instruction proposals when they will run; w: rollouts plus
 * validations.
 */
export function estimateCompositionCost(o: CompositionCostInput): StageEstimate[] {
  return o.plan.flatMap((stage) => {
    if (stage.kind === 'w') return [weightsRow(o, stage.name)];
    return proposalActive(o.prompt, o.config) ? [proposalRow(o, stage.name), promptRow(o, stage.name)] : [promptRow(o, stage.name)];
  });
}

/** Same prices as the task model: give the prompt model's prices with --price-* if they differ and it dominates. */
function proposalRow(o: CompositionCostInput, name: string): StageEstimate {
  const e = estimateProposalCost({ program: o.program, task: o.task, perModule: o.prompt.instructionCandidates, maxDemos: o.prompt.maxDemos });
  const row: StageEstimate = { stage: `${name}/propose`, ...e };
  return withCost(row, o.prices);
}

function weightsRow(o: CompositionCostInput, name: string): StageEstimate {
  const rows = estimateTrainingCost({ program: o.program, task: o.task, adapter: o.adapter, config: o.config, prices: o.prices });
  const sum = (k: 'lmCalls' | 'promptTokens' | 'completionTokens') => rows.reduce((s, r) => s + r[k], 0);
  const row: StageEstimate = { stage: name, lmCalls: sum('lmCalls'), promptTokens: sum('promptTokens'), completionTokens: sum('completionTokens') };
  if (rows.some((r) => r.cost !== undefined)) row.cost = rows.reduce((s, r) => s + (r.cost ?? 0), 0);
  return row;
}

function promptRow(o: CompositionCostInput, name: string): StageEstimate {
  const modules = o.program.namedPredictors().length;
  const valSize = validationExamples(o.task, false)?.length ?? 0;
  const closingEval = (validationExamples(o.task, o.config.useTrainAsVal)?.length ?? 0) * modules;
  const avgPrompt = avgPromptTokens(o);
  const e = estimatePromptSearchCost({
    modules, trainSize: o.task.trainset.length, valSize, trials: o.prompt.trials, minibatchSize: o.prompt.minibatchSize, fullEvalEvery: o.prompt.fullEvalEvery,
    avgPromptTokens: avgPrompt, avgCompletionTokens: o.config.maxTokens,
  });
  const row: StageEstimate = {
    stage: name,
    lmCalls: e.lmCalls + closingEval,
    promptTokens: e.promptTokens + Math.round(closingEval * avgPrompt),
    completionTokens: e.completionTokens + closingEval * o.config.maxTokens,
  };
  return withCost(row, o.prices);
}

/** Mean prompt size (about 4 characters per token) with maxDemos train examples as demos. */
function avgPromptTokens(o: CompositionCostInput): number {
  const sample = o.task.trainset.slice(0, 8);
  const demos = o.task.trainset.slice(0, o.prompt.maxDemos).map((ex) => ({ ...ex }));
  const perModule = o.program.namedPredictors().map(([, p]) => {
    const sizes = sample.map((ex) => {
      const all = { ...ex, ...inputsOf(o.task, ex) };
      const inputs = Object.fromEntries(p.signature.inputNames.map((f) => [f, all[f] ?? '']));
      const prompt = o.adapter.format({ signature: p.signature, instructions: p.instructions, demos, inputs });
      return prompt.messages.reduce((s, m) => s + m.content.length, 0) / 4;
    });
    return sizes.reduce((s, n) => s + n, 0) / Math.max(1, sizes.length);
  });
  return perModule.reduce((s, n) => s + n, 0) / Math.max(1, perModule.length);
}
