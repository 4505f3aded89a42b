import type { PromptTrialEvent, RunEvent } from '../../protocol/events';
import type { InstructionCandidatesView, InstructionCandidateView } from '../../protocol/webview';
import { currentStageFilter } from './stageAttempts';

// Every instruction a p stage searched over, per module, with the trials that
// used it: the panel shows the candidates that lost too, not only the winner.

const key = (stage: string, module: string) => `${stage}\u0000${module}`;

/**
 * From prompt_instructions, prompt_trial and prompt_candidate events. A resumed
 * run redoes an unfinished p stage: only events after the stage's last
 * stage_started count.
 */
export function instructionCandidates(events: readonly RunEvent[]): InstructionCandidatesView[] {
  const current = currentStageFilter(events);
  const out = new Map<string, InstructionCandidatesView>();
  events.forEach((e, i) => {
    if (e.type !== 'prompt_instructions' || !current(e, i)) return;
    const items: InstructionCandidateView[] = e.instructions.map((text, index) => ({ index, text, trials: 0, chosen: false }));
    out.set(key(e.stage, e.module), { stage: e.stage, module: e.module, proposer: e.proposer, dropped: e.dropped, items });
  });
  if (out.size === 0) return [];
  events.forEach((e, i) => {
    if (e.type === 'prompt_trial' && current(e, i)) countTrial(out, e);
    if (e.type === 'prompt_candidate' && current(e, i)) markChosen(out.get(key(e.stage, e.module)), e.instructions);
  });
  return [...out.values()];
}

function countTrial(out: Map<string, InstructionCandidatesView>, e: PromptTrialEvent): void {
  for (const [module, choice] of Object.entries(e.params ?? {})) {
    const item = out.get(key(e.stage, module))?.items[choice.instruction];
    if (!item) continue;
    item.trials++;
    if (e.scope === 'minibatch') item.bestMinibatch = Math.max(item.bestMinibatch ?? -Infinity, e.score);
    else item.bestFull = Math.max(item.bestFull ?? -Infinity, e.score);
  }
}

/** The last accepted candidate of the stage wins: earlier acceptances are un-marked. */
function markChosen(view: InstructionCandidatesView | undefined, instructions: string): void {
  if (!view) return;
  for (const item of view.items) item.chosen = item.text === instructions;
}
