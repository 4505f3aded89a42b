import type { GRPOInitializeRequest } from '../../../protocol/trainer';
import type { MMGRPOConfig } from './config';
import { numGenerations } from './loop';

/** The trainer's initialize request for this config (Arbor names; extensions dropped by the client when unsupported). */
export function initializeRequest(c: MMGRPOConfig, model: string, runName: string, maxSeqLen: number): GRPOInitializeRequest {
  const t = c.trainer;
  return {
    model,
    run_name: runName,
    trainer_config: {
      num_generations: numGenerations(c),
      temperature: c.temperature,
      beta: t.beta,
      learning_rate: t.learningRate,
      loss_type: t.lossType,
      scale_rewards: t.scaleRewards,
      max_grad_norm: t.maxGradNorm,
      max_completion_length: c.maxTokens,
      max_steps: Math.max(1, c.steps),
      lr_scheduler_type: 'constant',
      warmup_steps: 0,
      mask_truncated_completions: true,
      lora_config: t.loraRank > 0 ? { r: t.loraRank, lora_alpha: t.loraAlpha } : null,
      epsilon: t.epsilonLow,
      epsilon_high: t.epsilonHigh,
      num_iterations: t.numIterations,
    },
    inference_config: { model, max_seq_len: maxSeqLen },
  };
}
