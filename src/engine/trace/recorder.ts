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
/** Predictor names of one program, shared by all its rollouts in an evaluation: walked once, not per rollout. */
export class PredictorNames {
  private names?: Map<object, string>;

  /** `walk` lists the program's predictors; it runs on first use and again when an unknown predictor calls. */
  constructor(private readonly walk: () => Iterable<readonly [string, object]>) {}

  static of(named: Iterable<readonly [string, object]>): PredictorNames {
    const list = [...named];
    return new PredictorNames(() => list);
  }

  get(predictor: object): string | undefined {
    return (this.names ??= this.build()).get(predictor);
  }

  /** A predictor the last walk did not see (added to the program since): walk again. */
  refresh(predictor: object): string | undefined {
    this.names = this.build();
    return this.names.get(predictor);
  }

  private build(): Map<object, string> {
    const names = new Map<object, string>();
    for (const [name, predictor] of this.walk()) if (!names.has(predictor)) names.set(predictor, name);
    return names;
  }
}

/**
 * Names predictor calls and keeps them in call-start order for one run. Keyed
 * by predictor object identity, so two predictors with equal signatures stay
 * two modules.
 */
export class TraceRecorder {
  private readonly known: PredictorNames;
  /** Predictors unknown to the program's names (called but never a field); rare, so created on demand. */
  private unknown?: Map<object, string>;
  private readonly counts = new Map<string, number>();
  private readonly records: ModuleCallRecord[] = [];
  private readonly pending = new Set<ModuleCallRecord>();
  /** Created on the first failure: most runs have none, and a WeakMap per rollout is not free. */
  private failures?: WeakMap<object, string>;
  private unregistered = 0;

  constructor(named: Iterable<readonly [string, object]> | PredictorNames = []) {
    this.known = named instanceof PredictorNames ? named : PredictorNames.of(named);
  }

  nameOf(predictor: object): string {
    let name = this.known.get(predictor) ?? this.unknown?.get(predictor);
    if (name === undefined) name = this.known.refresh(predictor);
    if (name === undefined) {
      const cls = (predictor.constructor as { name?: string } | undefined)?.name || 'Predict';
      name = `<unregistered>.${cls}#${this.unregistered++}`;
      (this.unknown ??= new Map()).set(predictor, name);
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

  /**
   * The trace at the end of the run. Finished records are never written again, so they are
   * shared, not copied; a call still in flight gets a copy marked unfinished, because the
   * late call will still write to its own record.
   */
  snapshot(): ModuleCallRecord[] {
    const out = this.records.slice();
    if (this.pending.size === 0) return out;
    for (let i = 0; i < out.length; i++) {
      const r = out[i];
      if (!this.pending.has(r)) continue;
      const copy = { ...r };
      if (copy.error === undefined) copy.error = 'call still in flight when the program finished (the program did not await it)';
      out[i] = copy;
    }
    return out;
  }
}
