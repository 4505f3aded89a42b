import type { ProgramStateJson } from '../../../protocol/events';
import type { Module } from '../../program/module';
import type { Demo } from './bootstrap';
import type { ModuleChoice, PromptParams } from './events';

/** What each module may choose from: instruction texts and demo sets. */
export interface CandidateSpace {
  modules: string[];
  instructions: Record<string, string[]>;
  demoSets: Record<string, Demo[][]>;
}

/**
 * Validates the caller's candidate lists against the program. A module with
 * no list keeps what it has now, so partial lists are fine.
 */
export function buildCandidateSpace(
  program: Module,
  demoSets: Record<string, Demo[][]> = {},
  instructionCandidates: Record<string, string[]> = {},
): CandidateSpace {
  const named = program.namedPredictors();
  const modules = named.map(([n]) => n);
  if (modules.length === 0) throw new Error('optimizePrompts: the program has no Predict modules, so there is no prompt to optimize.');
  checkKnown('demoSets', demoSets, modules);
  checkKnown('instructionCandidates', instructionCandidates, modules);
  const space: CandidateSpace = { modules, instructions: {}, demoSets: {} };
  for (const [name, p] of named) {
    const instr = instructionCandidates[name] ?? [p.instructions];
    const sets = demoSets[name] ?? [p.demos];
    if (!Array.isArray(instr) || instr.length === 0 || instr.some((s) => typeof s !== 'string')) {
      throw new Error(`optimizePrompts: instructionCandidates["${name}"] must be a non-empty array of strings.`);
    }
    if (!Array.isArray(sets) || sets.length === 0 || sets.some((s) => !Array.isArray(s))) {
      throw new Error(`optimizePrompts: demoSets["${name}"] must be a non-empty array of demo arrays (set 0 may be []).`);
    }
    space.instructions[name] = instr;
    space.demoSets[name] = sets;
  }
  return space;
}

function checkKnown(what: string, given: Record<string, unknown>, modules: string[]): void {
  const unknown = Object.keys(given).filter((k) => !modules.includes(k));
  if (unknown.length > 0) {
    throw new Error(
      `optimizePrompts: ${what} names unknown module(s) ${unknown.map((u) => `"${u}"`).join(', ')}; the program's modules are ${modules.map((m) => `"${m}"`).join(', ')}.`,
    );
  }
}

/** TPE parameter names: two per module. */
export function tpeSpaces(space: CandidateSpace): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of space.modules) {
    out[instructionKey(m)] = space.instructions[m].length;
    out[demoKey(m)] = space.demoSets[m].length;
  }
  return out;
}

const instructionKey = (m: string): string => `instruction:${m}`;
const demoKey = (m: string): string => `demos:${m}`;

export function paramsFromFlat(space: CandidateSpace, flat: Record<string, number>): PromptParams {
  const out: PromptParams = {};
  for (const m of space.modules) out[m] = { instruction: flat[instructionKey(m)], demoSet: flat[demoKey(m)] };
  return out;
}

export function flatFromParams(space: CandidateSpace, params: PromptParams): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of space.modules) {
    const c: ModuleChoice = params[m];
    out[instructionKey(m)] = c.instruction;
    out[demoKey(m)] = c.demoSet;
  }
  return out;
}

export function paramsKey(space: CandidateSpace, params: PromptParams): string {
  return JSON.stringify(space.modules.map((m) => [params[m].instruction, params[m].demoSet]));
}

/** The program state a choice describes, starting from `base` (signatures unchanged). */
export function stateFor(space: CandidateSpace, base: ProgramStateJson, params: PromptParams): ProgramStateJson {
  const predictors: ProgramStateJson['predictors'] = {};
  for (const m of space.modules) {
    const c = params[m];
    predictors[m] = {
      signature: base.predictors[m].signature,
      instructions: space.instructions[m][c.instruction],
      demos: space.demoSets[m][c.demoSet].map((d) => ({ ...d })),
    };
  }
  return { version: base.version, predictors };
}

/** A fresh copy of `program` carrying `state`; the caller's program is never touched. */
export function programWith<M extends Module>(program: M, state: ProgramStateJson): M {
  const copy = program.clone();
  copy.loadState(state);
  return copy;
}
