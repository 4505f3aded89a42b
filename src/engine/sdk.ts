// The public `mmgrpo` module that user programs and task files import.
// Task files are bundled with `mmgrpo` resolved to this file, so the classes a
// user extends are the very ones the engine recognizes.
export { Module, Predict, ChainOfThought, Signature, SignatureError } from './program';
export type { PredictOptions, SignatureObject, SignatureLike, FieldType, FieldSpec } from './program';
export { ChatAdapter, JSONAdapter, AdapterParseError } from './adapters';
export type { Adapter } from './adapters';
export { withLM, runProgram } from './trace';
export type { ProgramRun } from './trace';
export { createLM } from './lm';
export type { LanguageModel, LMRequest, LMResponse, SamplingParams } from './lm/types';
export { defineTask, TaskDefinitionError } from './tasks/defineTask';
export type { Example, Prediction, Metric, Task, TaskDefinition } from './tasks/types';
export type { ModuleCallRecord } from '../protocol/trace';
