import type { ModuleCallRecord } from '../../../../protocol/trace';
import { formatFieldType, type FieldSpec } from '../../../program/fieldTypes';
import type { Module } from '../../../program/module';
import { clip } from './text';

export interface ModuleSummary {
  /** Stable dotted name (as in program state and traces). */
  name: string;
  inputs: FieldSummary[];
  outputs: FieldSummary[];
  instructions: string;
}

export interface FieldSummary {
  name: string;
  type: string;
  description?: string;
}

/** Where one input of a module call came from in the sample run. */
export interface DataFlowEdge {
  module: string;
  field: string;
  /** `example.<field>` or `<module>.<output field>`. */
  from: string;
}

export interface ProgramSummary {
  modules: ModuleSummary[];
  /** Module names in the order one sample run called them (repeats kept); empty without a sample run. */
  callOrder: string[];
  /** Inputs whose value equals an earlier output or a task input in the sample run. */
  dataFlow: DataFlowEdge[];
}

const TYPE_CHARS = 400;

/**
 * What the proposer knows about the program: each module's signature and
 * current instruction, and, from one recorded run, the call order and which
 * output feeds which input. Matching values is a guess, but a cheap one that
 * shows how modules connect without reading the program's code.
 */
export function summarizeProgram(program: Module, sample?: { trace: readonly ModuleCallRecord[]; inputs: Record<string, unknown> }): ProgramSummary {
  const modules = program.namedPredictors().map(([name, p]) => ({
    name,
    inputs: p.signature.inputFields.map(fieldSummary),
    outputs: p.signature.outputFields.map(fieldSummary),
    instructions: p.instructions,
  }));
  if (!sample) return { modules, callOrder: [], dataFlow: [] };
  return { modules, callOrder: sample.trace.map((c) => c.module), dataFlow: dataFlowOf(sample.trace, sample.inputs) };
}

function fieldSummary(f: FieldSpec): FieldSummary {
  const out: FieldSummary = { name: f.name, type: clip(formatFieldType(f.type), TYPE_CHARS) };
  if (f.description) out.description = f.description;
  return out;
}

function dataFlowOf(trace: readonly ModuleCallRecord[], taskInputs: Record<string, unknown>): DataFlowEdge[] {
  const edges: DataFlowEdge[] = [];
  const seen = new Set<string>();
  for (const [i, call] of trace.entries()) {
    for (const [field, value] of Object.entries(call.inputs)) {
      const from = sourceOf(value, trace.slice(0, i), taskInputs);
      const key = `${call.module}.${field}<-${from}`;
      if (!from || seen.has(key)) continue;
      seen.add(key);
      edges.push({ module: call.module, field, from });
    }
  }
  return edges;
}

/** The latest earlier output with the same value wins (it is the nearest producer), then the task's inputs. */
function sourceOf(value: unknown, earlier: readonly ModuleCallRecord[], taskInputs: Record<string, unknown>): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const key = JSON.stringify(value);
  for (let j = earlier.length - 1; j >= 0; j--) {
    for (const [out, v] of Object.entries(earlier[j].outputs ?? {})) if (JSON.stringify(v) === key) return `${earlier[j].module}.${out}`;
  }
  for (const [name, v] of Object.entries(taskInputs)) if (JSON.stringify(v) === key) return `example.${name}`;
  return undefined;
}

/** Plain-text rendering for the proposal prompt. */
export function formatProgramSummary(s: ProgramSummary): string {
  const lines = [`The program has ${s.modules.length} module(s), each one LM call with a typed signature:`];
  s.modules.forEach((m, i) => {
    lines.push(`${i + 1}. ${m.name}`);
    lines.push(`   inputs: ${m.inputs.map(formatField).join('; ')}`);
    lines.push(`   outputs: ${m.outputs.map(formatField).join('; ')}`);
    lines.push(`   current instruction: ${clip(m.instructions, 400)}`);
  });
  if (s.callOrder.length > 0) lines.push(`In a sample run the modules were called in this order: ${s.callOrder.join(' -> ')}.`);
  if (s.dataFlow.length > 0) {
    lines.push('Where their inputs came from in that run:');
    for (const e of s.dataFlow) lines.push(`  ${e.module}.${e.field} <- ${e.from}`);
  }
  return lines.join('\n');
}

function formatField(f: FieldSummary): string {
  return `${f.name} (${f.type})${f.description ? ` - ${clip(f.description, 200)}` : ''}`;
}
