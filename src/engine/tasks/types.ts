import type { ModuleCallRecord } from '../../protocol/trace';
import type { Module } from '../program/module';

/** One dataset row: input fields and labels side by side. */
export type Example = Record<string, unknown>;

/** Program output: the object the program's `forward` returned. */
export type Prediction = Record<string, unknown>;

/**
 * Program-level metric. Receives the whole example (labels included), the
 * program's prediction and the trace of module calls that produced it.
 */
export type Metric = (
  example: Example,
  prediction: Prediction,
  trace?: readonly ModuleCallRecord[],
) => number | Promise<number>;

/** Default connection settings a task may suggest (the user's config wins). */
export interface TaskLMDefaults {
  model?: string;
  baseUrl?: string;
  temperature?: number;
  max_tokens?: number;
}

/** What a task file default-exports through `defineTask`. */
export interface TaskDefinition {
  /** Short unique name, shown in the editor and in run folders. */
  name: string;
  /** The LM program; the engine clones it, the task's copy is never mutated. */
  program: Module;
  /** Example keys passed to `program.forward`; every other key is a label. */
  inputs: string[];
  trainset: Example[];
  valset?: Example[];
  metric: Metric;
  description?: string;
  lm?: TaskLMDefaults;
  /**
   * Teacher programs by name (e.g. the program with other prompts): MMGRPO
   * can split each input's rollouts between the student and the teachers
   * named in its `teachers` setting, as off-policy data.
   */
  teachers?: Record<string, Module>;
}

/** Marker that lets the loader tell a task from any other default export. */
export const TASK_BRAND = Symbol.for('mmgrpo.task');

export interface Task extends TaskDefinition {
  readonly [TASK_BRAND]: true;
}
