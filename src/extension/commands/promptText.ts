import type { RunRecord } from '../runs/runData';
import { buildRunView } from '../../engine/runs/runView';

// What a prompt-diff side shows: the instructions, then the demos as JSON.
// Both sides always have the same headings, so the diff editor lines them up
// even when one side has no demos.

export interface PromptLike {
  instructions: string;
  demos: Record<string, unknown>[];
}

export function promptText(p: PromptLike | undefined, missing: string): string {
  if (!p) return `${missing}\n`;
  const demos = p.demos.length ? JSON.stringify(p.demos, null, 2) : '(none)';
  return `## Instructions\n\n${p.instructions}\n\n## Demos (${p.demos.length})\n\n${demos}\n`;
}

/** A module's prompt in a run: `before`, `after` (result.json), or a panel version id. */
export function promptOf(run: RunRecord, module: string, version: string): PromptLike | undefined {
  if (version === 'before') return run.manifest.programStateBefore?.predictors[module];
  if (version === 'after') return run.resultState?.predictors[module];
  return buildRunView(run).prompts[module]?.find((v) => v.id === version);
}
