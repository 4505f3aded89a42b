import { AsyncLocalStorage } from 'node:async_hooks';
import type { Adapter } from '../adapters/types';
import type { LanguageModel, SamplingParams } from '../lm/types';
import type { TraceRecorder } from './recorder';

/** Everything a predictor needs at call time; ambient so user programs stay plain code. */
export interface ProgramContext {
  lm: LanguageModel;
  /** Defaults to a ChatAdapter. */
  adapter?: Adapter;
  sampling?: SamplingParams;
  recorder?: TraceRecorder;
  signal?: AbortSignal;
  cache?: boolean;
}

/*
 * AsyncLocalStorage (not a global) so that many rollouts can run concurrently
 * on one event loop, each seeing only its own LM, sampling and recorder.
 */
const storage = new AsyncLocalStorage<ProgramContext | undefined>();

export function runWithContext<T>(ctx: ProgramContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/**
 * Runs `fn` outside any program context. LM calls go through here: the call
 * needs nothing from the context (the predictor captured it), and the HTTP
 * stack's promises need not carry the store.
 *
 * Not `storage.exit`: on Node 20 that disables and re-enables the async hooks
 * behind AsyncLocalStorage (resetting V8's promise hooks) on every call.
 * Running with an empty store hides the context just the same.
 */
export function outsideContext<A extends unknown[], T>(fn: (...args: A) => T, ...args: A): T {
  return storage.run(undefined, fn, ...args);
}

export function currentContext(): ProgramContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with `lm`, keeping the rest of any enclosing context (recorder, sampling...). */
export function withLM<T>(lm: LanguageModel, fn: () => T): T {
  return runWithContext({ ...currentContext(), lm }, fn);
}
