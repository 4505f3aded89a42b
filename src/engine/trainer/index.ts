export { ArborTrainerClient } from './client';
export type { StepOptions, TrainerClientOptions } from './client';
export { checkTrainer, validateInitializeRequest } from './checkTrainer';
export type { TrainerCheck } from './checkTrainer';
export { TrainerError } from './errors';
export type { TrainerErrorKind } from './errors';
export { PLAIN_ARBOR, parseCapabilities, prepareInitializeBody, prepareStepBody } from './capabilities';
