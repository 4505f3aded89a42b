import { strict as assert } from 'node:assert';
import { BASELINE_CANDIDATE, optimizePrompts, type PromptSearchEvent, type PromptSearchOptions } from '../../../../../src/engine/optimize/prompt';
import { MAGIC, QA, TwoStage, promptSensitiveLM, qaTask } from './helpers';

const DEMO = { question: 'qz0', answer: 'QZ0' };

function options(over: Partial<PromptSearchOptions> = {}): PromptSearchOptions {
  const task = over.task ?? qaTask(new QA());
  return {
    program: task.program,
    task,
    lm: promptSensitiveLM(),
    demoSets: { qa: [[], [DEMO]] },
    instructionCandidates: { qa: ['Answer the question.', 'Reply briefly.', MAGIC] },
    trials: 10,
    minibatchSize: 3,
    fullEvalEvery: 2,
    seed: 1,
    concurrency: 2,
    ...over,
  };
}

describe('optimizePrompts', () => {
  it('returns a program better than the baseline, judged on the full valset', async () => {
    const events: PromptSearchEvent[] = [];
    const opts = options({ onEvent: (e) => events.push(e) });
    const r = await optimizePrompts(opts);
    assert.equal(r.baselineScore, 0);
    assert.equal(r.bestScore, 1);
    assert.equal(r.bestState.predictors.qa.instructions, MAGIC);
    assert.equal(r.stoppedBy, undefined);
    assert.equal(r.trials.length, 10);
    assert.equal(opts.program.saveState().predictors.qa.instructions, 'Answer the question.', 'the caller\'s program is untouched');
    const fulls = events.filter((e) => e.type === 'full_eval');
    assert.equal(fulls[0].type === 'full_eval' && fulls[0].candidate, BASELINE_CANDIDATE);
    // Every full eval ran on the whole valset: its score is the one the winner reports.
    const winner = fulls.find((e) => e.type === 'full_eval' && e.candidate === r.bestCandidate);
    assert.ok(winner && winner.type === 'full_eval' && winner.score === r.bestScore);
    for (const t of r.trials) assert.equal(t.minibatch.length, 3);
    assert.deepEqual(events.filter((e) => e.type === 'trial_started').length, 10);
  });

  it('records lineage: every accepted candidate, per module, points at the previous best', async () => {
    const events: PromptSearchEvent[] = [];
    const task = qaTask(new TwoStage());
    const r = await optimizePrompts(
      options({
        task,
        program: task.program,
        demoSets: { answer: [[], [{ question: 'qz0', draft: 'd', answer: 'QZ0' }]] },
        instructionCandidates: { answer: ['Answer.', MAGIC] },
        onEvent: (e) => events.push(e),
      }),
    );
    const accepted = events.flatMap((e) => (e.type === 'candidate_accepted' ? [e] : []));
    const ids = [...new Set(accepted.map((e) => e.candidate))];
    assert.ok(ids.length >= 2, 'the baseline and at least one improvement');
    assert.equal(ids[0], BASELINE_CANDIDATE);
    assert.equal(ids[ids.length - 1], r.bestCandidate);
    ids.forEach((id, i) => {
      const mine = accepted.filter((e) => e.candidate === id);
      assert.deepEqual(mine.map((e) => e.module), ['draft', 'answer']);
      for (const e of mine) assert.equal(e.parent, i === 0 ? null : ids[i - 1]);
    });
    const last = accepted.filter((e) => e.candidate === r.bestCandidate);
    assert.equal(last.find((e) => e.module === 'draft')!.changed, false, 'draft has no alternatives');
    assert.equal(last.find((e) => e.module === 'answer')!.instructions, MAGIC);
  });

  it('is deterministic for a seed', async () => {
    const a = await optimizePrompts(options());
    const b = await optimizePrompts(options({ concurrency: 1 }));
    assert.deepEqual(a, b);
    const c = await optimizePrompts(options({ seed: 2 }));
    assert.notDeepEqual(c.trials.map((t) => t.params), a.trials.map((t) => t.params));
  });

  it('falls back to the trainset when the task has no valset', async () => {
    const task = qaTask(new QA(), 5, false);
    const r = await optimizePrompts(options({ task, program: task.program, trials: 2, minibatchSize: 10 }));
    assert.deepEqual([...r.trials[0].minibatch].sort(), [0, 1, 2, 3, 4]);
  });

  it('rejects candidate lists for unknown modules, naming the real ones', async () => {
    await assert.rejects(optimizePrompts(options({ demoSets: { nope: [[]] } })), /demoSets names unknown module\(s\) "nope"; the program's modules are "qa"/);
    await assert.rejects(optimizePrompts(options({ fullEvalEvery: 0 })), /`fullEvalEvery` must be a whole number >= 1/);
  });
});

describe('optimizePrompts budgets and cancellation', () => {
  it('stops before maxLMCalls would be exceeded', async () => {
    // valset 8 and one call per run: baseline 8; each trial needs 3 + a reserved full eval of 8.
    const lm = promptSensitiveLM();
    const r = await optimizePrompts(options({ lm, trials: 50, fullEvalEvery: 100, budget: { maxLMCalls: 30 } }));
    assert.equal(r.stoppedBy, 'budget');
    assert.ok(lm.callCount <= 30, `made ${lm.callCount} calls`);
    assert.equal(r.lmCalls, lm.callCount);
    assert.ok(r.trials.length >= 1 && r.trials.length < 50);
    // The final full eval still fits, so the result is judged on the full valset.
    assert.ok(r.trials.some((t) => t.fullScore !== undefined));
  });

  it('counts usage reported by the caller (e.g. spent on bootstrapping) and token limits', async () => {
    const lm = promptSensitiveLM();
    const r = await optimizePrompts(options({ lm, trials: 50, budget: { maxLMCalls: 30, usage: () => ({ calls: lm.callCount + 15, promptTokens: 0, completionTokens: 0 }) } }));
    assert.equal(r.stoppedBy, 'budget');
    assert.ok(lm.callCount + 15 <= 30);
    const lm2 = promptSensitiveLM();
    const t = await optimizePrompts(options({ lm: lm2, trials: 50, budget: { maxTokens: 5000 } }));
    assert.equal(t.stoppedBy, 'budget');
    assert.ok(t.promptTokens + t.completionTokens <= 5000, `used ${t.promptTokens + t.completionTokens} tokens`);
    assert.ok(t.trials.length > 0);
  });

  it('stops cleanly when cancelled between trials', async () => {
    const controller = new AbortController();
    const r = await optimizePrompts(
      options({
        trials: 20,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'trial_finished' && e.trial === 3) controller.abort();
        },
      }),
    );
    assert.equal(r.stoppedBy, 'cancelled');
    assert.equal(r.trials.length, 3);
  });
});
