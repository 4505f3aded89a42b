import { strict as assert } from 'node:assert';
import { RwLock } from '../../../src/embedded/rwLock';
import { createTinyBackend } from '../../../src/embedded/tinyBackend';
import { setupTf, tinyConfig } from './helpers';

const tick = () => new Promise((r) => setImmediate(r));

describe('TinyBackend serialisation', () => {
  before(setupTf);

  it('a training step waits for in-flight reads and holds back new ones', async () => {
    const lock = new RwLock();
    const log: string[] = [];
    let release!: () => void;
    const r1 = lock.read(async () => { log.push('r1 start'); await new Promise<void>((res) => (release = res)); log.push('r1 end'); });
    await tick();
    const w = lock.write(async () => { log.push('w'); });
    const r2 = lock.read(async () => { log.push('r2'); });
    await tick();
    assert.deepEqual(log, ['r1 start'], 'writer waits for r1; r2 queues behind the writer');
    release();
    await Promise.all([r1, w, r2]);
    assert.deepEqual(log, ['r1 start', 'r1 end', 'w', 'r2']);
  });

  it('generate and grpoStep interleave safely; later samples use the new weights', async () => {
    const b = await createTinyBackend({ config: tinyConfig({ seed: 2 }) });
    const req = { messages: [{ role: 'user' as const, content: 'hi' }], temperature: 0, top_p: 1, max_tokens: 3, n: 1, logprobs: true, top_logprobs: 0, guidedChoice: ['x', 'y'] };
    const before = await b.generate(req);
    const loser = before.choices[0].text === 'x' ? 'x' : 'y';
    const winner = loser === 'x' ? 'y' : 'x';
    const cfg = { learning_rate: 5e-2, beta: 0, epsilon_low: 0.2, epsilon_high: 0.2, loss_type: 'dapo' as const, scale_rewards: true, max_grad_norm: 1, weight_decay: 0, num_iterations: 1, max_completion_length: 4, temperature: 1 };
    const group = [{ messages: req.messages, completion: winner, reward: 1 }, { messages: req.messages, completion: loser, reward: 0 }];
    const during = b.generate(req);
    await tick(); // its batch is now decoding (in flight)
    const steps = Promise.all(Array.from({ length: 5 }, () => b.grpoStep([group], cfg)));
    const [d] = await Promise.all([during, steps]);
    assert.equal(d.choices[0].text, loser, 'the in-flight batch finished on the old weights');
    const after = await b.generate(req);
    assert.equal(after.choices[0].text, winner);
    await b.dispose();
  });
});
