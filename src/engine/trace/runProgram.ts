import type { ModuleCallRecord, ParseFailureInfo } from '../../protocol/trace';
import { AdapterParseError } from '../adapters/errors';
import { LMError, type LMErrorKind } from '../lm/types';
import type { Module } from '../program/module';
import { isPlainObject } from '../program/plain';
import { type ProgramContext, runWithContext } from './context';
import { PredictorNames, TraceRecorder } from './recorder';

export type ProgramRunError =
  | { kind: 'parse'; module: string; info: ParseFailureInfo; message: string }
  | { kind: 'lm'; module?: string; message: string; lmErrorKind: LMErrorKind }
  | { kind: 'program'; message: string; stack?: string }
  | { kind: 'aborted'; message: string };

export interface ProgramRun {
  outputs?: Record<string, unknown>;
  trace: ModuleCallRecord[];
  error?: ProgramRunError;
  latencyMs: number;
}

/**
 * One rollout: runs `program.forward(inputs)` with its own recorder and never
 * throws; failures come back classified so the caller can score them.
 */
export function runProgram(
  program: Module,
  inputs: Record<string, unknown>,
  ctx: Omit<ProgramContext, 'recorder'>,
  /** The program's predictor names, when many rollouts of one program share them (see PredictorNames). */
  names?: PredictorNames,
): Promise<ProgramRun> {
  // Not an async function, for the reason given in Predict.forward: one rollout per call.
  const started = performance.now();
  const recorder = new TraceRecorder(names ?? programNames(program));
  if (ctx.signal?.aborted) {
    return Promise.resolve(finish(recorder, started, { error: { kind: 'aborted', message: 'the run was cancelled before the program started' } }));
  }
  let outputs: unknown;
  try {
    outputs = runWithContext({ ...ctx, recorder }, () => program.forward(inputs));
  } catch (e) {
    return Promise.resolve(finish(recorder, started, { error: classifyError(e, recorder, ctx.signal) }));
  }
  return Promise.resolve(outputs).then(
    (out) => finishOutputs(program, recorder, started, out),
    (e: unknown) => finish(recorder, started, { error: classifyError(e, recorder, ctx.signal) }),
  );
}

/** The predictor names of `program`, for sharing between its rollouts. */
export function programNames(program: Module): PredictorNames {
  return new PredictorNames(() => program.namedPredictors());
}

function finishOutputs(program: Module, recorder: TraceRecorder, started: number, outputs: unknown): ProgramRun {
  if (!isPlainObject(outputs)) {
    const name = program.constructor.name || 'the program';
    const message = `${name}.forward() returned ${describeValue(outputs)}; it must return a plain object such as { answer: ... }`;
    return finish(recorder, started, { error: { kind: 'program', message } });
  }
  return finish(recorder, started, { outputs });
}

function finish(recorder: TraceRecorder, started: number, part: Omit<ProgramRun, 'trace' | 'latencyMs'>): ProgramRun {
  return { ...part, trace: recorder.snapshot(), latencyMs: performance.now() - started };
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `an instance of ${(v as object).constructor?.name ?? 'a class'}`;
  return typeof v === 'string' ? `a string (${JSON.stringify(v.slice(0, 40))})` : `${typeof v} ${String(v)}`;
}

export function classifyError(e: unknown, recorder: TraceRecorder, signal?: AbortSignal): ProgramRunError {
  const message = e instanceof Error ? e.message : String(e);
  if ((e instanceof LMError && e.kind === 'aborted') || signal?.aborted || (e instanceof Error && e.name === 'AbortError')) {
    return { kind: 'aborted', message };
  }
  if (e instanceof AdapterParseError) {
    const module = e.module ?? recorder.moduleOfFailure(e) ?? '<unknown>';
    return { kind: 'parse', module, info: e.info, message };
  }
  if (e instanceof LMError) {
    const module = recorder.moduleOfFailure(e);
    return module === undefined ? { kind: 'lm', message, lmErrorKind: e.kind } : { kind: 'lm', module, message, lmErrorKind: e.kind };
  }
  const stack = e instanceof Error ? e.stack : undefined;
  return stack === undefined ? { kind: 'program', message } : { kind: 'program', message, stack };
}
