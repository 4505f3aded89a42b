import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { readEvents } from '../../../src/engine/runs';
import type { RunEvent } from '../../../src/protocol/events';
import { driver } from './driver';
import { api, openFile, waitFor, wsFile } from './util';

// Starting runs from the task lenses and waiting for them, shared by the scenarios.

/** The run's events so far; readEvents tolerates the torn last line of a run still writing. */
export const eventsOf = (runDir: string): RunEvent[] => readEvents(runDir).events;

export async function runOf(id: string) {
  const a = await api();
  await a.reloadRuns();
  return a.runs().find((r) => r.id === id);
}

export async function waitIdle(what: string, timeoutMs: number): Promise<void> {
  const a = await api();
  await waitFor(what, () => a.activeRuns().length === 0, timeoutMs);
}

/** The run once it is no longer running (its status read from the run store). */
export function settled(id: string) {
  return waitFor(`run ${id} to settle`, async () => {
    const r = await runOf(id);
    return r && r.status !== 'running' && r;
  });
}

/**
 * The id of the run the click started. A CLI that exits before recording a
 * run (a task that does not load, a local model not pulled) fails the test at
 * once with what its terminal said, instead of a timeout that hides why.
 */
async function newRunId(known: ReadonlySet<string>, what: string): Promise<string> {
  const a = await api();
  let seenActive = false;
  const outcome = await waitFor(what, () => {
    const active = a.activeRuns();
    const run = active.find((r) => r.runId && !known.has(r.runId));
    if (run) return { runId: run.runId! };
    if (active.length > 0) seenActive = true;
    return seenActive && active.length === 0 && { runId: undefined };
  }, 120_000);
  if (!outcome.runId) assert.fail(`${what} ended before recording a run; terminal said:\n${a.recentOutput().slice(-12).join('\n')}`);
  return outcome.runId;
}

/** Clicks a task lens (or runs its command without a browser) and waits for the new run to finish. */
export async function runFromTaskLens(title: string, command: string, what: string, timeoutMs = 300_000) {
  const a = await api();
  const known = new Set(a.runs().map((r) => r.id));
  await openFile(wsFile('task.ts'));
  const ui = driver();
  if (ui) await ui.clickLens(title);
  else await vscode.commands.executeCommand(command, { taskFile: wsFile('task.ts'), taskName: 'banking77' });
  const runId = await newRunId(known, what);
  await waitIdle(`${what} to finish`, timeoutMs);
  const run = await settled(runId);
  assert.equal(run.status, 'completed', `terminal said:\n${a.recentOutput().slice(-20).join('\n')}`);
  return run;
}
