import { strict as assert } from 'node:assert';
import { readTrainerConfig, scheduledLearningRate, stepTrainConfig } from '../../../../src/embedded/server/trainConfig';
import { refused } from './httpHelpers';

// The trainer_config of a GRPO job and the learning-rate schedule it implies:
// a default or a schedule that is slightly off still trains, just wrongly, so
// each is checked against its value (issue 18, mutation testing).

const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-15, `${what}: ${a} vs ${b}`);

describe('server trainer_config', () => {
  it('fills the documented defaults', () => {
    const s = readTrainerConfig({ num_generations: 4 }, 'trainer_config');
    assert.deepEqual(
      { numGenerations: s.numGenerations, scheduler: s.scheduler, warmupSteps: s.warmupSteps, maxSteps: s.maxSteps, base: s.base },
      {
        numGenerations: 4, scheduler: 'constant_with_warmup', warmupSteps: 10, maxSteps: 500,
        base: {
          learning_rate: 1e-6, beta: 0, epsilon_low: 0.2, epsilon_high: 0.2, loss_type: 'dapo', scale_rewards: true,
          max_grad_norm: 1, weight_decay: 0, num_iterations: 1, max_completion_length: 256, temperature: 1,
        },
      },
    );
  });

  it('keeps what the request sets; epsilon_high follows epsilon unless set', () => {
    const s = readTrainerConfig({ num_generations: 2, epsilon: 0.1, loss_type: 'grpo', scale_rewards: false, beta: 0.04, lr_scheduler_type: 'cosine', max_steps: 9, warmup_steps: 0 }, 'tc');
    assert.deepEqual([s.base.epsilon_low, s.base.epsilon_high, s.base.loss_type, s.base.scale_rewards, s.base.beta, s.scheduler, s.maxSteps, s.warmupSteps], [0.1, 0.1, 'grpo', false, 0.04, 'cosine', 9, 0]);
    assert.equal(readTrainerConfig({ num_generations: 2, epsilon: 0.1, epsilon_high: 0.28 }, 'tc').base.epsilon_high, 0.28);
  });

  it('refuses what would train wrongly, by path', () => {
    refused(() => readTrainerConfig({}, 'tc'), 'tc.num_generations', /Missing required field/);
    refused(() => readTrainerConfig({ num_generations: 1 }, 'tc'), 'tc.num_generations', />= 2/);
    refused(() => readTrainerConfig({ num_generations: 2, lr_scheduler_type: 'polynomial' }, 'tc'), 'tc.lr_scheduler_type', /constant, constant_with_warmup, linear, cosine/);
    refused(() => readTrainerConfig({ num_generations: 2, learning_rate: 0 }, 'tc'), 'tc.learning_rate', /> 0/);
    refused(() => readTrainerConfig({ num_generations: 2, loss_type: 'ppo' }, 'tc'), 'tc.loss_type', /grpo, bnpo, dr_grpo, dapo/);
    refused(() => readTrainerConfig({ num_generations: 2, num_iterations: 65 }, 'tc'), 'tc.num_iterations', /<= 64/);
    refused(() => readTrainerConfig({ num_generations: 2, unknown_key: 1 }, 'tc'), 'tc.unknown_key', /Unknown field/);
    refused(() => readTrainerConfig({ num_generations: 2, bf16: 'yes' }, 'tc'), 'tc.bf16', /true or false/);
    refused(() => readTrainerConfig({ num_generations: 2, report_to: ['wandb', 3] }, 'tc'), 'tc.report_to[1]', /string/);
    refused(() => readTrainerConfig({ num_generations: 2, report_to: 3 }, 'tc'), 'tc.report_to[0]', /string/);
    refused(() => readTrainerConfig({ num_generations: 2, lora_config: { r: 0 } }, 'tc'), 'tc.lora_config.r', />= 1/);
    refused(() => readTrainerConfig({ num_generations: 2, lora_config: { rank: 8 } }, 'tc'), 'tc.lora_config.rank', /Unknown field/);
    refused(() => readTrainerConfig({ num_generations: 2, lora_config: { target_modules: ['q', ''] } }, 'tc'), 'tc.lora_config.target_modules[1]', /non-empty string/);
    refused(() => readTrainerConfig({ num_generations: 2, lora_config: { target_modules: 5 } }, 'tc'), 'tc.lora_config.target_modules[0]', /string/);
    readTrainerConfig({ num_generations: 2, report_to: 'none', lora_config: { r: 8, lora_alpha: 16, target_modules: 'all-linear', lora_dropout: 0 } }, 'tc');
  });
});

describe('server learning-rate schedule', () => {
  const settings = (scheduler: string, warmupSteps: number, maxSteps: number) => ({
    ...readTrainerConfig({ num_generations: 2, learning_rate: 0.1, lr_scheduler_type: scheduler, warmup_steps: warmupSteps, max_steps: maxSteps }, 'tc'),
  });

  it('warms up linearly from above zero, then holds the peak (constant_with_warmup)', () => {
    const s = settings('constant_with_warmup', 2, 10);
    [0.1 / 3, 0.2 / 3, 0.1, 0.1].forEach((lr, step) => near(scheduledLearningRate(s, step), lr, `step ${step}`));
  });

  it('constant ignores warmup', () => {
    near(scheduledLearningRate(settings('constant', 5, 10), 0), 0.1, 'step 0');
  });

  it('linear decays to zero at max_steps and stays there', () => {
    const s = settings('linear', 2, 6);
    [0.1 / 3, 0.2 / 3, 0.1, 0.075, 0.05, 0.025, 0, 0].forEach((lr, step) => near(scheduledLearningRate(s, step), lr, `step ${step}`));
  });

  it('cosine follows half a cosine from the peak to zero', () => {
    const s = settings('cosine', 0, 4);
    [0.1, 0.05 * (1 + Math.SQRT1_2), 0.05, 0.05 * (1 - Math.SQRT1_2), 0].forEach((lr, step) => near(scheduledLearningRate(s, step), lr, `step ${step}`));
  });

  it('stays finite when max_steps leaves no step after warmup (no 0/0)', () => {
    const s = settings('linear', 3, 3);
    near(scheduledLearningRate(s, 3), 0.1, 'step 3: progress 0 of a one-step span');
  });

  it('refuses a step past max_steps instead of training at a zero rate', () => {
    const s = settings('linear', 0, 2);
    near(stepTrainConfig(s, 1).learning_rate, 0.05, 'step 1');
    assert.equal(stepTrainConfig(s, 1).beta, 0);
    refused(() => stepTrainConfig(s, 2), 'batch', /reached max_steps \(2\); initialize a new job with a larger trainer_config\.max_steps/);
  });
});
