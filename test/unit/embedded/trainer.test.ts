import { strict as assert } from 'node:assert';
import type { GrpoMember, GrpoTrainConfig } from '../../../src/embedded/backend';
import { createTinyBackend, type TinyBackend } from '../../../src/embedded/tinyBackend';
import { setupTf, sum, tinyConfig, trainingLogprobs, userMessage } from './helpers';

function grpoConfig(over: Partial<GrpoTrainConfig> = {}): GrpoTrainConfig {
  return {
    learning_rate: 1e-2, beta: 0, epsilon_low: 0.2, epsilon_high: 0.2, loss_type: 'dapo', scale_rewards: true,
    max_grad_norm: 1, weight_decay: 0, num_iterations: 1, max_completion_length: 8, temperature: 1, ...over,
  };
}

// Tiny (1 layer, width 32, 64-token context): learning a prompt -> letter mapping needs no more, and keeps the test ~seconds.
async function tinyBackend(seed = 3): Promise<TinyBackend> {
  return createTinyBackend({ config: tinyConfig({ nLayer: 1, dModel: 32, nHead: 2, seed }) });
}

const handleOf = (b: TinyBackend) => ({ params: b.params, config: b.config, tokenizer: (b as unknown as { handle: { tokenizer: never } }).handle.tokenizer });

describe('embedded trainer', () => {
  before(setupTf);

  it('one step raises the logprob of a positive-advantage completion and lowers a negative one', async () => {
    const b = await tinyBackend();
    const messages = userMessage('pick');
    const lp = (c: string) => sum(trainingLogprobs(handleOf(b), messages, c));
    const [goodBefore, badBefore] = [lp('b'), lp('c')];
    const group: GrpoMember[] = [{ messages, completion: 'b', reward: 1 }, { messages, completion: 'c', reward: 0 }];
    const m = await b.grpoStep([group], grpoConfig({ learning_rate: 1e-3 }));
    assert.ok(lp('b') > goodBefore, `positive advantage: ${goodBefore} -> ${lp('b')}`);
    assert.ok(lp('c') < badBefore, `negative advantage: ${badBefore} -> ${lp('c')}`);
    assert.equal(m.tokens, 4, 'two completions of one byte + end-of-turn');
    assert.equal(m.clip_ratio, 0, 'first iteration is on-policy: nothing clipped');
    assert.ok(m.grad_norm > 0 && Number.isFinite(m.loss));
    await b.dispose();
  });

  it('zero-variance groups leave the weights untouched (beta = 0)', async () => {
    const b = await tinyBackend();
    const messages = userMessage('pick');
    const before = trainingLogprobs(handleOf(b), messages, 'a');
    const m = await b.grpoStep([[{ messages, completion: 'a', reward: 1 }, { messages, completion: 'b', reward: 1 }]], grpoConfig());
    assert.deepEqual(trainingLogprobs(handleOf(b), messages, 'a'), before);
    assert.equal(m.grad_norm, 0);
    await b.dispose();
  });

  it('with num_iterations > 1 clipping becomes live and KL to the reference is reported', async () => {
    const b = await tinyBackend();
    await b.setReference();
    const messages = userMessage('pick');
    const group: GrpoMember[] = ['a', 'b', 'c', 'd'].map((c) => ({ messages, completion: c, reward: c === 'b' ? 1 : 0 }));
    const m = await b.grpoStep([group], grpoConfig({ num_iterations: 6, learning_rate: 5e-2, beta: 0.04 }));
    assert.ok(m.clip_ratio > 0, `expected clipped tokens in later iterations, got ${m.clip_ratio}`);
    assert.ok(m.kl > 0, `expected KL > 0 after updates, got ${m.kl}`);
    await b.dispose();
  });

  it('GRPO alone takes a random model from chance to >= 0.9 reward on a prompt-dependent choice task', async function () {
    this.timeout(120000);
    const b = await tinyBackend(5);
    const tasks = [{ prompt: 'pick x', target: 'b' }, { prompt: 'pick y', target: 'd' }];
    const choices = ['a', 'b', 'c', 'd'];
    const meanReward = async (n: number, seed: number) => {
      const res = await Promise.all(tasks.map((t, i) => b.generate({
        messages: userMessage(t.prompt), temperature: 1, top_p: 1, max_tokens: 2, n, seed: seed + i, logprobs: true, top_logprobs: 0, guidedChoice: choices,
      })));
      return sum(res.flatMap((r, i) => r.choices.map((c) => (c.text === tasks[i].target ? 1 : 0)))) / (n * tasks.length);
    };
    const start = await meanReward(32, 1000);
    assert.ok(start < 0.5, `random init should be near chance (0.25), got ${start}`);
    let final = 0;
    for (let step = 0; step < 60 && final < 0.9; step++) {
      const groups = await Promise.all(tasks.map(async (t, i) => {
        const r = await b.generate({ messages: userMessage(t.prompt), temperature: 1, top_p: 1, max_tokens: 2, n: 16, seed: step * 10 + i, logprobs: true, top_logprobs: 0, guidedChoice: choices });
        return r.choices.map((c) => ({ messages: userMessage(t.prompt), completion: c.text, reward: c.text === t.target ? 1 : 0, logprobs: c.logprobs }));
      }));
      // 16 samples per group: with 8, the shared 'answer b-or-d' direction can collapse both prompts onto one letter
      // before attention learns to read the prompt, and collapsed groups carry no signal.
      await b.grpoStep(groups, grpoConfig({ learning_rate: 1e-2 }));
      if (step % 5 === 4) final = await meanReward(32, 2000 + step);
    }
    final = await meanReward(64, 9999);
    assert.ok(final >= 0.9, `mean reward after training ${final}`);
    await b.dispose();
  });

  it('SFT lowers the completion loss', async () => {
    const b = await tinyBackend();
    const examples = [
      { messages: userMessage('capital of France?'), completion: 'Paris' },
      { messages: userMessage('capital of Italy?'), completion: 'Rome' },
      { messages: userMessage('capital of Spain?'), completion: 'Madrid' },
    ];
    const first = await b.sft(examples, { learning_rate: 1e-2, epochs: 1, batch_size: 3, seed: 1 });
    const later = await b.sft(examples, { learning_rate: 1e-2, epochs: 30, batch_size: 3, seed: 1 });
    assert.equal(later.steps, 30);
    assert.ok(later.loss < first.loss * 0.5, `loss ${first.loss} -> ${later.loss}`);
    await b.dispose();
  });
});
