import type { RunEvent } from '../../protocol/events';

/**
 * Whether the event at index i belongs to its stage's last attempt: a resumed
 * run redoes an unfinished stage, so only events from the stage's last
 * stage_started on count (events before any stage_started count too).
 */
export function currentStageFilter(events: readonly RunEvent[]): (e: { stage: string }, i: number) => boolean {
  const lastStart = new Map<string, number>();
  events.forEach((e, i) => {
    if (e.type === 'stage_started') lastStart.set(e.stage, i);
  });
  return (e, i) => i >= (lastStart.get(e.stage) ?? -1);
}
