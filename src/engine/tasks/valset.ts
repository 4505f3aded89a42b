import { TaskDefinitionError } from './defineTask';
import type { Example, Task } from './types';

// The no-valset rule, in one place: validation (training steps, every stage
// of a composed run, `eval --split val`) uses the task's valset; with
// useTrainAsVal set, a task without one validates on its trainset.

/** The examples validation uses, or undefined when the task has none (no valset, useTrainAsVal off). */
export function validationExamples(task: Task, useTrainAsVal: boolean): readonly Example[] | undefined {
  if (task.valset?.length) return task.valset;
  return useTrainAsVal ? task.trainset : undefined;
}

/**
 * validationExamples, refusing a task without them before anything runs.
 * `otherwise` says what else the user can do, e.g. "set useTrainAsVal in --config".
 */
export function valsetOf(task: Task, useTrainAsVal: boolean, otherwise: string): readonly Example[] {
  const examples = validationExamples(task, useTrainAsVal);
  if (!examples) throw new TaskDefinitionError(`Task "${task.name}" has no valset: add \`valset\` to defineTask, or ${otherwise}.`);
  return examples;
}

/** What a prompt search scores candidates on: the valset, else the trainset (a search needs no held-out set). */
export function searchExamples(task: Task): readonly Example[] {
  return task.valset?.length ? task.valset : task.trainset;
}

/** What train and optimize say: validation judges their steps and stages. */
export const USE_TRAIN_AS_VAL = 'set useTrainAsVal in --config to validate on the trainset';
