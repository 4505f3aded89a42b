import { strict as assert } from 'node:assert';
import { RwQueue } from '../../../../src/embedded/server/lockedBackend';
import { isSafeCheckpointName, makeJobId, stripModelPrefix } from '../../../../src/embedded/server/modelNames';
import { routeKey } from '../../../../src/embedded/server/routes';
import { bearerMatches, isLoopbackHost } from '../../../../src/embedded/server/httpIo';
import { readTrainerConfig, scheduledLearningRate, stepTrainConfig } from '../../../../src/embedded/server/trainConfig';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('embedded server parts', () => {
  it('RwQueue lets reads overlap but runs writes alone, in arrival order', async () => {
    const q = new RwQueue();
    const log: string[] = [];
    const r1 = deferred();
    const w = deferred();
    const a = q.read(async () => { log.push('r1 start'); await r1.promise; log.push('r1 end'); });
    const b = q.read(async () => { log.push('r2'); });
    const c = q.write(async () => { log.push('w start'); await w.promise; log.push('w end'); });
    const d = q.read(async () => { log.push('r3'); });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(log, ['r1 start', 'r2'], 'the write waits for running reads; the later read waits for the write');
    r1.resolve();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(log.slice(2), ['r1 end', 'w start']);
    w.resolve();
    await Promise.all([a, b, c, d]);
    assert.deepEqual(log.slice(4), ['w end', 'r3']);
  });

  it('RwQueue keeps going after a failing task', async () => {
    const q = new RwQueue();
    await assert.rejects(q.write(async () => { throw new Error('boom'); }), /boom/);
    assert.equal(await q.read(async () => 5), 5);
  });

  it('strips model prefixes and builds Arbor job ids', () => {
    assert.equal(stripModelPrefix('openai/arbor:local:huggingface/Qwen/Qwen3-0.6B'), 'Qwen/Qwen3-0.6B');
    assert.equal(stripModelPrefix('tiny'), 'tiny');
    assert.equal(makeJobId('m', 's', new Date(Date.UTC(2025, 11, 31, 23, 59))), 'grpo:m:s:20251231');
    assert.ok(isSafeCheckpointName('step-10_a.b'));
    for (const bad of ['..', '.', 'a/b', '', 'a\\b', 'x'.repeat(101)]) assert.ok(!isSafeCheckpointName(bad), bad);
  });

  it('routes only under /v1 and normalizes slashes', () => {
    assert.equal(routeKey('/v1/chat/completions'), 'chat/completions');
    assert.equal(routeKey('/v1//fine_tuning/grpo/step/?x=1'), 'fine_tuning/grpo/step');
    assert.equal(routeKey('/v1'), '');
    assert.equal(routeKey('/v2/models'), undefined);
    assert.equal(routeKey('/v1models'), undefined);
  });

  it('recognizes loopback hosts only', () => {
    for (const h of ['127.0.0.1', '127.0.0.1:80', 'localhost:7453', '[::1]:1']) assert.ok(isLoopbackHost(h), h);
    for (const h of [undefined, '', 'localhost.evil.com', '127.0.0.2', '[::1]x', 'evil.com:80']) assert.ok(!isLoopbackHost(h), String(h));
  });

  it('checks bearer tokens exactly', () => {
    assert.ok(bearerMatches('Bearer abc', 'abc'));
    assert.ok(bearerMatches('bearer   abc', 'abc'));
    assert.ok(!bearerMatches('Bearer abcd', 'abc'));
    assert.ok(!bearerMatches('abc', 'abc'));
    assert.ok(!bearerMatches(undefined, 'abc'));
  });

  it('schedules the learning rate: warmup, constant, linear and cosine decay', () => {
    const settings = (extra: Record<string, unknown>) =>
      readTrainerConfig({ num_generations: 2, learning_rate: 1, warmup_steps: 4, max_steps: 14, ...extra }, 'trainer_config');
    const warm = settings({ lr_scheduler_type: 'constant_with_warmup' });
    assert.equal(scheduledLearningRate(warm, 0), 0.2);
    assert.equal(scheduledLearningRate(warm, 3), 0.8);
    assert.equal(scheduledLearningRate(warm, 9), 1);
    assert.equal(scheduledLearningRate(settings({ lr_scheduler_type: 'constant' }), 0), 1);
    const linear = settings({ lr_scheduler_type: 'linear' });
    assert.equal(scheduledLearningRate(linear, 4), 1);
    assert.ok(Math.abs(scheduledLearningRate(linear, 9) - 0.5) < 1e-12);
    const cosine = settings({ lr_scheduler_type: 'cosine' });
    assert.ok(Math.abs(scheduledLearningRate(cosine, 9) - 0.5) < 1e-12);
    assert.throws(() => stepTrainConfig(linear, 14), /max_steps \(14\)/);
  });

  it('takes extension trainer_config keys: epsilon, epsilon_high, num_iterations', () => {
    const s = readTrainerConfig({ num_generations: 4, epsilon: 0.1, epsilon_high: 0.28, num_iterations: 2, lora_config: null }, 'tc');
    assert.deepEqual([s.base.epsilon_low, s.base.epsilon_high, s.base.num_iterations], [0.1, 0.28, 2]);
    assert.throws(() => readTrainerConfig({ num_generations: 4, lora_config: { r: 0 } }, 'tc'), /tc\.lora_config\.r/);
  });
});
