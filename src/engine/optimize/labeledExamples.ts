import type { Adapter } from '../adapters';
import type { ChatMessage } from '../../protocol/lm';
import type { Module } from '../program/module';
import type { Example } from '../tasks/types';

/** One supervised pair for one module: the prompt it would send and the labeled answer. */
export interface LabeledCall {
  module: string;
  exampleIndex: number;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  messages: ChatMessage[];
  completion: string;
}

/**
 * Labeled calls straight from the dataset: a module qualifies for an example
 * when every one of its input and output fields is a key of the example
 * (e.g. triage: utterance → category, classify: utterance, category → intent).
 * Used for labeled demos and for the supervised warm start.
 */
export function labeledCalls(program: Module, dataset: readonly Example[], adapter: Adapter): LabeledCall[] {
  const out: LabeledCall[] = [];
  for (const [module, predictor] of program.namedPredictors()) {
    const sig = predictor.signature;
    const fields = [...sig.inputNames, ...sig.outputNames];
    dataset.forEach((example, exampleIndex) => {
      if (!fields.every((f) => example[f] !== undefined && example[f] !== null)) return;
      const inputs = Object.fromEntries(sig.inputNames.map((f) => [f, example[f]]));
      const outputs = Object.fromEntries(sig.outputNames.map((f) => [f, example[f]]));
      const prompt = adapter.format({ signature: sig, instructions: predictor.instructions, demos: predictor.demos, inputs });
      const completion = adapter.formatAnswer ? adapter.formatAnswer(sig, outputs) : JSON.stringify(outputs);
      out.push({ module, exampleIndex, inputs, outputs, messages: prompt.messages, completion });
    });
  }
  return out;
}

/** Modules with no labeled data (their names), so callers can say what a warm start leaves out. */
export function modulesWithoutLabels(program: Module, calls: readonly LabeledCall[]): string[] {
  const covered = new Set(calls.map((c) => c.module));
  return program.namedPredictors().map(([n]) => n).filter((n) => !covered.has(n));
}
