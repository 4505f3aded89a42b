import type { PredictorStateJson, ProgramStateJson } from '../../protocol/events';
import { isPlainObject, jsonCopy } from './plain';
import { Predict } from './predict';
import { Signature } from './signature';

export const PROGRAM_STATE_VERSION = 1;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childName(prefix: string, key: string): string {
  if (IDENT.test(key)) return prefix ? `${prefix}.${key}` : key;
  return `${prefix}[${JSON.stringify(key)}]`;
}

/**
 * Base class of LM programs. Predictors are found by walking the object's own
 * fields, so a program is plain code: no registration calls, no decorators.
 */
export abstract class Module {
  abstract forward(input: any): Promise<any>;

  /** Every predictor with its stable dotted name, in field-definition order; each object once. */
  namedPredictors(): Array<[string, Predict]> {
    // Runs once per rollout, so the walk is a plain function with state passed in, not closures.
    const walk: PredictorWalk = { out: [], seen: new Set<object>([this]) };
    for (const key of Object.keys(this)) walkValue(walk, (this as Record<string, unknown>)[key], childName('', key));
    return walk.out;
  }

  predictors(): Predict[] {
    return this.namedPredictors().map(([, p]) => p);
  }

  saveState(): ProgramStateJson {
    const predictors: Record<string, PredictorStateJson> = {};
    for (const [name, p] of this.namedPredictors()) {
      predictors[name] = { signature: p.signature.toString(), instructions: p.instructions, demos: jsonCopy(p.demos) };
    }
    return { version: PROGRAM_STATE_VERSION, predictors };
  }

  /** Applies a saved state; validates all of it first so a bad state changes nothing. */
  loadState(state: ProgramStateJson): void {
    const named = new Map(this.namedPredictors());
    const problems = stateProblems(state, named);
    if (problems.length > 0) {
      const known = [...named.entries()].map(([n, p]) => `  ${n}: ${p.signature.toString()}`).join('\n');
      throw new Error(`Cannot load program state:\n- ${problems.join('\n- ')}\nKnown modules:\n${known || '  (none)'}`);
    }
    for (const [name, s] of Object.entries(state.predictors)) {
      const p = named.get(name) as Predict;
      p.instructions = s.instructions;
      p.demos = jsonCopy(s.demos);
    }
  }

  /** Deep copy of the program: modules, predictors, arrays and plain objects are new; anything else is shared. */
  clone(): this {
    return cloneGraph(this, new Map()) as this;
  }
}

function stateProblems(state: ProgramStateJson, named: Map<string, Predict>): string[] {
  if (!isPlainObject(state)) return ['the state is not an object'];
  if (state.version !== PROGRAM_STATE_VERSION) {
    return [`unsupported state version ${String(state.version)}; this engine reads version ${PROGRAM_STATE_VERSION}`];
  }
  if (!isPlainObject(state.predictors)) return ['the state has no "predictors" object'];
  const problems: string[] = [];
  for (const [name, s] of Object.entries(state.predictors)) {
    const p = named.get(name);
    if (!p) {
      problems.push(`unknown module "${name}"`);
      continue;
    }
    problems.push(...predictorProblems(name, p, s));
  }
  return problems;
}

function predictorProblems(name: string, p: Predict, s: PredictorStateJson): string[] {
  if (!isPlainObject(s)) return [`module "${name}": state is not an object`];
  const problems: string[] = [];
  const actual = p.signature.toString();
  let saved: string | undefined;
  try {
    saved = typeof s.signature === 'string' ? Signature.parse(s.signature).toString() : undefined;
  } catch {
    saved = undefined;
  }
  if (saved !== actual) problems.push(`module "${name}": saved signature "${String(s.signature)}" does not match "${actual}"`);
  if (typeof s.instructions !== 'string') problems.push(`module "${name}": instructions must be a string`);
  if (!Array.isArray(s.demos) || !s.demos.every(isPlainObject)) problems.push(`module "${name}": demos must be an array of objects`);
  return problems;
}

interface PredictorWalk {
  out: Array<[string, Predict]>;
  /** Predictors listed and containers entered; one set is enough, a predictor is never a container. */
  seen: Set<object>;
}

function walkValue(walk: PredictorWalk, value: unknown, name: string): void {
  if (value instanceof Predict) {
    if (!walk.seen.has(value)) {
      walk.out.push([name, value]);
      walk.seen.add(value);
    }
    return;
  }
  if (typeof value !== 'object' || value === null || walk.seen.has(value)) return;
  if (Array.isArray(value)) {
    walk.seen.add(value);
    for (let i = 0; i < value.length; i++) walkValue(walk, value[i], `${name}[${i}]`);
  } else if (value instanceof Module || isPlainObject(value)) {
    walk.seen.add(value);
    for (const key of Object.keys(value)) walkValue(walk, (value as Record<string, unknown>)[key], childName(name, key));
  }
}

function cloneGraph(value: unknown, memo: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const copyable = value instanceof Module || value instanceof Predict || Array.isArray(value) || isPlainObject(value);
  if (!copyable) return value;
  const done = memo.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const arr: unknown[] = [];
    memo.set(value, arr);
    for (const item of value) arr.push(cloneGraph(item, memo));
    return arr;
  }
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as object;
  memo.set(value, copy);
  for (const key of Reflect.ownKeys(value)) {
    const desc = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
    if ('value' in desc) desc.value = cloneGraph(desc.value, memo);
    Object.defineProperty(copy, key, desc);
  }
  if (Object.isFrozen(value)) Object.freeze(copy);
  return copy;
}
