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
  /** Points the job at saved weights (embedded: loads the checkpoint; remote: re-initializes from it). */
  restore?: (checkpointDir: string) => Promise<void>;
}
