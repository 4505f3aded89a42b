import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent, RunManifest, RunStatus } from '../../protocol/events';
import { RUN_EVENT_TYPES } from '../../protocol/events';
import { EVENTS_FILE, LOCK_FILE, MANIFEST_FILE, RunStoreError } from './paths';

export interface EventsRead {
  events: RunEvent[];
  /** The last line was cut short (crash mid-write); it was ignored. */
  tornTail: boolean;
  /** Lines before the last that were not valid events (never expected; counted, not fatal). */
  skipped: number;
  /** False when the file does not end with a newline (an append must add one first). */
  endsWithNewline: boolean;
}

const KNOWN_TYPES = new Set<string>(RUN_EVENT_TYPES);

function isEvent(value: unknown): value is RunEvent {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && typeof v.seq === 'number' && typeof v.v === 'number';
}

/** Parses events.jsonl text; tolerant of a torn last line after a crash. */
export function parseEvents(text: string): EventsRead {
  const lines = text.split('\n');
  const endsClean = text.length === 0 || text.endsWith('\n');
  if (endsClean) lines.pop();
  const events: RunEvent[] = [];
  let skipped = 0;
  let tornTail = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const last = i === lines.length - 1;
    if (!isEvent(parsed)) {
      if (last && !endsClean) tornTail = true;
      else skipped++;
      return;
    }
    // Unknown types come from a newer engine: keep them out of typed consumers.
    if (KNOWN_TYPES.has(parsed.type)) events.push(parsed);
  });
  // A last line that parsed but lost its newline is whole JSON: it is kept.
  return { events, tornTail, skipped, endsWithNewline: endsClean };
}

export function readEvents(dir: string): EventsRead {
  const file = join(dir, EVENTS_FILE);
  if (!existsSync(file)) return { events: [], tornTail: false, skipped: 0, endsWithNewline: true };
  return parseEvents(readFileSync(file, 'utf8'));
}

export function readManifest(dir: string): RunManifest {
  const file = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new RunStoreError(`${dir} is not a run folder: ${MANIFEST_FILE} is missing.`);
  }
  try {
    return JSON.parse(text) as RunManifest;
  } catch (err) {
    throw new RunStoreError(`${file} is not valid JSON (${(err as Error).message}).`);
  }
}

export interface RunSummary {
  id: string;
  dir: string;
  manifest: RunManifest;
  status: RunStatus;
  /** Headline numbers from run_finished, or the latest eval scores so far. */
  summary: Record<string, number>;
  eventCount: number;
  lastEventAt?: string;
}

export interface RunRead extends RunSummary {
  events: RunEvent[];
  tornTail: boolean;
}

/** Derives status: finished events win; otherwise a live lock means running, else interrupted. */
export function deriveStatus(dir: string, events: readonly RunEvent[], isAlive: (pid: number) => boolean): RunStatus {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'run_finished') return e.status;
    if (e.type === 'run_started') break; // a resume started after the last finish
  }
  const lock = join(dir, LOCK_FILE);
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (isAlive(pid)) return 'running';
  }
  return 'interrupted';
}

function summarize(events: readonly RunEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) {
    if (e.type === 'eval_finished') out[`${e.split}/score`] = e.score;
    if (e.type === 'run_finished') Object.assign(out, e.summary);
  }
  return out;
}

export function readRun(dir: string, isAlive: (pid: number) => boolean): RunRead {
  const { events, tornTail } = readEvents(dir);
  return assembleRun(dir, readManifest(dir), events, tornTail, isAlive);
}

/** A run read by any means (sync here, async in the editor) with its derived status and summary. */
export function assembleRun(dir: string, manifest: RunManifest, events: RunEvent[], tornTail: boolean, isAlive: (pid: number) => boolean): RunRead {
  return {
    id: manifest.id,
    dir,
    manifest,
    events,
    tornTail,
    status: deriveStatus(dir, events, isAlive),
    summary: summarize(events),
    eventCount: events.length,
    lastEventAt: events.length ? events[events.length - 1].ts : undefined,
  };
}

/** All runs under `root`, newest first. Folders that are not runs are ignored. */
export function listRuns(root: string, isAlive: (pid: number) => boolean): RunSummary[] {
  if (!existsSync(root)) return [];
  const out: RunSummary[] = [];
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory() || !existsSync(join(dir, MANIFEST_FILE))) continue;
    try {
      const { events: _events, tornTail: _t, ...summary } = readRun(dir, isAlive);
      out.push(summary);
    } catch {
      continue; // an unreadable manifest is reported by `runs show`, not by the listing
    }
  }
  return out.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt));
}
