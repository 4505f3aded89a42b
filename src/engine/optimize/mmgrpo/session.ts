import type { TrainerCapabilities } from '../../../protocol/trainer';
import type { LanguageModel } from '../../lm/types';
import type { ArborTrainerClient } from '../../trainer/client';

/** A live connection to an inference server and a trainer for one GRPO job. */
export interface TrainingSession {
  /** Inference on the model being trained (the job's current_model). */
  lm: LanguageModel;
  trainer: ArborTrainerClient;
  jobId: string;
  /** The job's current_model, sent with each step. */
  model: string;
  capabilities: TrainerCapabilities;
  /** Deletes a checkpoint nobody needs any more (embedded only: its folders are local). */
  discardCheckpoint?: (checkpointDir: string) => Promise<void>;
  /** Deletes the training state kept with a checkpoint that stays for its weights but is no resume point any more (embedded only). */
  discardTrainingState?: (checkpointDir: string) => Promise<void>;
}
