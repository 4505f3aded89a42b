import type { ModuleCallRecord } from '../../protocol/trace';

/** Handle of one call in progress; the predictor fills it in when the call ends. */
export interface CallHandle {
  readonly module: string;
  readonly invocation: number;
  readonly record: ModuleCallRecord;
}

/**
 * Names predictor calls and keeps them in call-start order for one run. Keyed
 * by predictor object identity, so two predictors with equal signatures stay
 * two modules.
 */
export class TraceRecorder {
  private readonly names = new Map<object, string>();
  private readonly counts = new Map<string, number>();
  private readonly records: ModuleCallRecord[] = [];
  private readonly pending = new Set<ModuleCallRecord>();
  /** Created on the first failure: most runs have none, and a WeakMap per rollout is not free. */
  private failures?: WeakMap<object, string>;
  private unregistered = 0;

  constructor(named: Iterable<readonly [string, object]> = []) {
    for (const [name, predictor] of named) this.register(name, predictor);
  }

  register(name: string, predictor: object): void {
    if (!this.names.has(predictor)) this.names.set(predictor, name);
  }

  nameOf(predictor: object): string {
    let name = this.names.get(predictor);
    if (name === undefined) {
      const cls = (predictor.constructor as { name?: string } | undefined)?.name || 'Predict';
      name = `<unregistered>.${cls}#${this.unregistered++}`;
      this.names.set(predictor, name);
    }
    return name;
  }

  /** Reserves the record at call start, so the trace order is the order calls were made. */
  begin(predictor: object, inputs: Record<string, unknown>): CallHandle {
    const module = this.nameOf(predictor);
    const invocation = this.counts.get(module) ?? 0;
    this.counts.set(module, invocation + 1);
    const record: ModuleCallRecord = { module, invocation, messages: [], completion: null, inputs, latencyMs: 0 };
    this.records.push(record);
    this.pending.add(record);
    return { module, invocation, record };
  }

  end(handle: CallHandle): void {
    this.pending.delete(handle.record);
  }

  /** Remembers which module an error came from, for error classification after the run. */
  noteFailure(error: unknown, module: string): void {
    if (typeof error !== 'object' || error === null) return;
    this.failures ??= new WeakMap();
    if (!this.failures.has(error)) this.failures.set(error, module);
  }

  moduleOfFailure(error: unknown): string | undefined {
    return typeof error === 'object' && error !== null ? this.failures?.get(error) : undefined;
  }

  /** Copy of the trace; calls still in flight are marked as unfinished. */
  snapshot(): ModuleCallRecord[] {
    const out: ModuleCallRecord[] = new Array(this.records.length);
    for (let i = 0; i < this.records.length; i++) {
      const r = this.records[i];
      const copy = { ...r };
      if (this.pending.size > 0 && this.pending.has(r) && copy.error === undefined) {
        copy.error = 'call still in flight when the program finished (the program did not await it)';
      }
      out[i] = copy;
    }
    return out;
  }
}
