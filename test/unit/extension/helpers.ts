import type { ModuleStepStats, ProgramStateJson, RunEvent, RunManifest, RunStatus } from '../../../src/protocol/events';
import type { RunInfo } from '../../../src/extension/runs/runFacts';

let seq = 0;
/** A run event with the stamped fields filled in (tests only care about the payload). */
export function ev<E extends RunEvent>(e: Omit<E, 'v' | 'seq' | 'ts'>): E {
  return { v: 1, seq: seq++, ts: '2026-11-30T10:00:00.000Z', ...e } as E;
}

export function stats(module: string, over: Partial<ModuleStepStats> = {}): ModuleStepStats {
  return { module, groups: 4, trainedGroups: 3, rewardMean: 0.5, rewardStd: 0.1, fracRewardZeroStd: 0.25, advantageMin: -1, advantageMax: 1, formatFailureRate: 0, callsMin: 1, callsMean: 1, callsMax: 1, ...over };
}

export function state(preds: Record<string, string>): ProgramStateJson {
  return { version: 1, predictors: Object.fromEntries(Object.entries(preds).map(([k, v]) => [k, { signature: 'question -> answer', instructions: v, demos: [] }])) };
}

export function manifest(over: Partial<RunManifest> & { id: string; taskFile: string }): RunManifest {
  return { schemaVersion: 1, kind: 'train', createdAt: '2026-11-30T10:00:00.000Z', taskName: 't', seed: 0, config: {}, engineVersion: '0', nodeVersion: 'v20', programStateBefore: state({}), ...over };
}

export function run(m: RunManifest, events: RunEvent[], extra: { status?: RunStatus; summary?: Record<string, number>; resultState?: ProgramStateJson } = {}): RunInfo {
  return { id: m.id, dir: `/runs/${m.id}`, manifest: m, events, status: extra.status ?? 'completed', summary: extra.summary ?? {}, resultState: extra.resultState };
}
