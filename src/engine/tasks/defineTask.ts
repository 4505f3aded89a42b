import { Module } from '../program/module';
import { TASK_BRAND, type Example, type Task, type TaskDefinition } from './types';
import { MmgrpoError } from '../../protocol/errors';

/** A task definition that cannot run; the message says which field and how to fix it. */
export class TaskDefinitionError extends MmgrpoError {
  constructor(message: string) {
    super(message);
    this.name = 'TaskDefinitionError';
  }
}

/**
 * Declares the runnable unit of a task file: `export default defineTask({...})`.
 * Validates eagerly so mistakes surface when the file loads, not mid-run.
 */
export function defineTask(definition: TaskDefinition): Task {
  const d = definition as Partial<TaskDefinition> | undefined;
  if (!d || typeof d !== 'object') throw new TaskDefinitionError('defineTask() needs an object: defineTask({ name, program, inputs, trainset, metric }).');
  const name = typeof d.name === 'string' ? d.name.trim() : '';
  if (!name) throw new TaskDefinitionError('defineTask: `name` must be a non-empty string.');
  const where = `Task "${name}"`;
  if (!(d.program instanceof Module)) {
    throw new TaskDefinitionError(`${where}: \`program\` must be an instance of a class that extends Module from 'mmgrpo' (got ${describe(d.program)}).`);
  }
  if (typeof d.metric !== 'function') {
    throw new TaskDefinitionError(`${where}: \`metric\` must be a function (example, prediction, trace) => number.`);
  }
  if (!Array.isArray(d.inputs) || d.inputs.length === 0 || d.inputs.some((k) => typeof k !== 'string' || !k)) {
    throw new TaskDefinitionError(`${where}: \`inputs\` must list the example keys passed to the program, e.g. inputs: ['question'].`);
  }
  for (const [name, t] of Object.entries(d.teachers ?? {})) {
    if (!(t instanceof Module)) throw new TaskDefinitionError(`${where}: teacher "${name}" must be a Module instance (got ${describe(t)}).`);
  }
  validateDataset(where, 'trainset', d.trainset, d.inputs, true);
  if (d.valset !== undefined) validateDataset(where, 'valset', d.valset, d.inputs, false);
  return Object.freeze({ ...(d as TaskDefinition), name, [TASK_BRAND]: true as const });
}

function validateDataset(where: string, field: string, rows: unknown, inputs: string[], required: boolean): asserts rows is Example[] {
  if (!Array.isArray(rows)) {
    throw new TaskDefinitionError(`${where}: \`${field}\` must be an array of examples (got ${describe(rows)}).`);
  }
  if (required && rows.length === 0) {
    throw new TaskDefinitionError(`${where}: \`${field}\` is empty; it needs at least one example.`);
  }
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new TaskDefinitionError(`${where}: ${field}[${i}] must be an object with the fields ${inputs.join(', ')} (got ${describe(row)}).`);
    }
    const missing = inputs.filter((k) => (row as Example)[k] === undefined);
    if (missing.length) {
      throw new TaskDefinitionError(
        `${where}: ${field}[${i}] is missing the input field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (it has: ${Object.keys(row).join(', ') || 'no fields'}).`,
      );
    }
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object of class ${(value as object).constructor?.name ?? 'Object'}`;
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}

export function isTask(value: unknown): value is Task {
  return value !== null && typeof value === 'object' && (value as Record<symbol, unknown>)[TASK_BRAND] === true;
}

/** The input fields of an example, in the order the task declares them. */
export function inputsOf(task: Task, example: Example): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of task.inputs) out[k] = example[k];
  return out;
}
