import type { Adapter } from '../../adapters';
import type { Module } from '../../program/module';
import type { Task } from '../../tasks/types';
import { inputsOf } from '../../tasks/defineTask';
import type { MMGRPOConfig } from './config';
import { validationExamples } from '../../tasks/valset';

export interface StageEstimate {
  stage: string;
  lmCalls: number;
  promptTokens: number;
  completionTokens: number;
  /** Money, when prices per 1M tokens are given. */
  cost?: number;
}

export interface Prices {
  promptPerMTok?: number;
  completionPerMTok?: number;
}

/** Sets row.cost from its tokens when any price is given (a missing one counts as 0); returns the row. */
export function withCost(row: StageEstimate, prices: Prices | undefined): StageEstimate {
  if (prices?.promptPerMTok !== undefined || prices?.completionPerMTok !== undefined) {
    row.cost = (row.promptTokens * (prices.promptPerMTok ?? 0) + row.completionTokens * (prices.completionPerMTok ?? 0)) / 1e6;
  }
  return row;
}

/**
 * What a training run will cost before it starts. Each module is assumed to
 * run once per rollout (programs that loop call more: the estimate says so);
 * prompt tokens are measured by rendering real examples with the adapter
 * (about 4 characters per token), completions are bounded by maxTokens.
 */
export function estimateTrainingCost(o: { program: Module; task: Task; adapter: Adapter; config: MMGRPOConfig; prices?: Prices }): StageEstimate[] {
  const c = o.config;
  const perCall = promptTokensPerModule(o.program, o.task, o.adapter);
  const modules = perCall.length;
  const avgPrompt = perCall.reduce((s, n) => s + n, 0) / Math.max(1, modules);
  const valSize = validationExamples(o.task, c.useTrainAsVal)?.length ?? 0;
  const valPoints = new Set([0, c.steps, ...Array.from({ length: Math.floor(c.steps / c.valEvery) }, (_, i) => (i + 1) * c.valEvery)]).size;
  const stage = (name: string, calls: number): StageEstimate =>
    withCost({ stage: name, lmCalls: calls, promptTokens: Math.round(calls * avgPrompt), completionTokens: calls * c.maxTokens }, o.prices);
  return [
    stage('mmgrpo rollouts', c.steps * c.examplesPerStep * c.rolloutsPerExample * modules),
    stage('validation', valPoints * valSize * modules),
  ];
}

/** Mean prompt tokens of each module over a few real train examples (inputs it cannot see are left empty). */
function promptTokensPerModule(program: Module, task: Task, adapter: Adapter): number[] {
  const sample = task.trainset.slice(0, 8);
  return program.namedPredictors().map(([, p]) => {
    const lengths = sample.map((ex) => {
      const all = { ...ex, ...inputsOf(task, ex) };
      const inputs = Object.fromEntries(p.signature.inputNames.map((f) => [f, all[f] ?? '']));
      const prompt = adapter.format({ signature: p.signature, instructions: p.instructions, demos: p.demos, inputs });
      return prompt.messages.reduce((s, m) => s + m.content.length, 0) / 4;
    });
    return lengths.reduce((s, n) => s + n, 0) / Math.max(1, lengths.length);
  });
}

export function formatEstimate(rows: readonly StageEstimate[]): string {
  const total = rows.reduce((t, r) => ({ stage: 'total', lmCalls: t.lmCalls + r.lmCalls, promptTokens: t.promptTokens + r.promptTokens, completionTokens: t.completionTokens + r.completionTokens, cost: r.cost === undefined ? t.cost : (t.cost ?? 0) + r.cost }), { stage: 'total', lmCalls: 0, promptTokens: 0, completionTokens: 0 } as StageEstimate);
  const all = [...rows, total];
  const head = ['stage', 'LM calls', 'prompt tokens', 'completion tokens (max)', ...(total.cost !== undefined ? ['cost'] : [])];
  const cells = all.map((r) => [r.stage, String(r.lmCalls), String(r.promptTokens), String(r.completionTokens), ...(total.cost !== undefined ? [(r.cost ?? 0).toFixed(4)] : [])]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const fmt = (row: string[]) => '  ' + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [fmt(head), ...cells.map(fmt)].join('\n') + '\n';
}
