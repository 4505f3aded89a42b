import { strict as assert } from 'node:assert';
import { Module } from '../../../../src/engine/program/module';
import { ChainOfThought, Predict } from '../../../../src/engine/program/predict';

class Hop extends Module {
  generateQuery = new Predict('context, question -> query');
  summarize = new Predict('context, passages: list[str] -> summary');
  async forward(): Promise<Record<string, unknown>> {
    return {};
  }
}

class Helper {
  hidden = new Predict('a -> b');
}

class Multi extends Module {
  first = new Predict('question -> answer');
  hop = new Hop();
  hops = [new Hop(), new Hop()];
  config = { inner: { judge: new ChainOfThought('answer -> verdict: bool') }, 'odd key': new Predict('x -> y') };
  twin = new Predict('question -> answer');
  alias = this.first;
  helper = new Helper();
  fn = (x: number): number => x + 1;
  self: Module = this;
  async forward(): Promise<Record<string, unknown>> {
    return {};
  }
}

describe('Module.namedPredictors', () => {
  it('finds predictors through modules, arrays and plain objects with stable dotted names', () => {
    const names = new Multi().namedPredictors().map(([n]) => n);
    assert.deepEqual(names, [
      'first',
      'hop.generateQuery',
      'hop.summarize',
      'hops[0].generateQuery',
      'hops[0].summarize',
      'hops[1].generateQuery',
      'hops[1].summarize',
      'config.inner.judge',
      'config["odd key"]',
      'twin',
    ]);
  });

  it('counts a shared predictor once, keeps equal signatures apart, and skips class instances', () => {
    const m = new Multi();
    const named = m.namedPredictors();
    assert.equal(named.filter(([, p]) => p === m.first).length, 1);
    assert.equal(named.find(([n]) => n === 'twin')?.[1], m.twin);
    assert.notEqual(m.twin, m.first);
    assert.ok(!named.some(([, p]) => p === m.helper.hidden));
  });

  it('survives cycles', () => {
    const m = new Multi();
    const loop: Record<string, unknown> = { p: new Predict('a -> b') };
    loop.self = loop;
    (m as unknown as Record<string, unknown>).loop = loop;
    assert.ok(m.namedPredictors().some(([n]) => n === 'loop.p'));
  });
});

describe('Module state', () => {
  it('saves signature strings, instructions and demo copies', () => {
    const m = new Multi();
    m.first.instructions = 'Answer well.';
    m.first.demos = [{ question: 'q', answer: 'a' }];
    const state = m.saveState();
    assert.equal(state.version, 1);
    assert.deepEqual(state.predictors.first, { signature: 'question -> answer', instructions: 'Answer well.', demos: [{ question: 'q', answer: 'a' }] });
    assert.equal(state.predictors['config.inner.judge'].signature, 'answer -> reasoning, verdict: bool');
    assert.match(state.predictors.twin.instructions, /^Given the fields `question`, produce the fields `answer`\.$/);
    state.predictors.first.demos[0].answer = 'changed';
    assert.equal(m.first.demos[0].answer, 'a');
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
  });

  it('loads state into another instance', () => {
    const a = new Multi();
    a.hops[1].summarize.instructions = 'Summarize tightly.';
    a.hops[1].summarize.demos = [{ context: 'c', passages: ['p'], summary: 's' }];
    const b = new Multi();
    b.loadState(a.saveState());
    assert.equal(b.hops[1].summarize.instructions, 'Summarize tightly.');
    assert.deepEqual(b.hops[1].summarize.demos, [{ context: 'c', passages: ['p'], summary: 's' }]);
    assert.notEqual(b.hops[1].summarize.demos, a.hops[1].summarize.demos);
    assert.deepEqual(b.saveState(), a.saveState());
  });

  it('validates everything before applying anything', () => {
    const m = new Multi();
    const state = m.saveState();
    state.predictors.first.instructions = 'NEW';
    state.predictors.nope = { signature: 'a -> b', instructions: '', demos: [] };
    state.predictors.twin.signature = 'question -> reply';
    let err: Error | undefined;
    try {
      m.loadState(state);
    } catch (e) {
      err = e as Error;
    }
    assert.ok(err);
    assert.match(err.message, /unknown module "nope"/);
    assert.match(err.message, /module "twin": saved signature "question -> reply" does not match "question -> answer"/);
    assert.match(err.message, /Known modules:\n  first: question -> answer/);
    assert.notEqual(m.first.instructions, 'NEW');
  });

  it('rejects wrong versions and malformed predictor entries', () => {
    const m = new Multi();
    assert.throws(() => m.loadState({ version: 2, predictors: {} }), /unsupported state version 2/);
    assert.throws(() => m.loadState({ version: 1 } as never), /no "predictors" object/);
    const bad = m.saveState();
    bad.predictors.first = { signature: 'question -> answer', instructions: 5, demos: 'x' } as never;
    assert.throws(() => m.loadState(bad), /instructions must be a string[\s\S]*demos must be an array/);
  });

  it('accepts equivalent signature spellings and partial states', () => {
    const m = new Multi();
    m.loadState({ version: 1, predictors: { first: { signature: 'question->answer: str', instructions: 'X', demos: [] } } });
    assert.equal(m.first.instructions, 'X');
  });
});

describe('Module.clone', () => {
  it('deep-copies modules, predictors, arrays and plain objects, preserving prototypes and sharing', () => {
    const a = new Multi();
    a.first.demos.push({ question: 'q', answer: 'a' });
    const b = a.clone();
    assert.ok(b instanceof Multi);
    assert.ok(b.hops[0] instanceof Hop);
    assert.ok(b.config.inner.judge instanceof ChainOfThought);
    assert.notEqual(b.first, a.first);
    assert.notEqual(b.hops, a.hops);
    assert.notEqual(b.config.inner, a.config.inner);
    assert.equal(b.alias, b.first, 'shared references stay shared inside the clone');
    assert.equal(b.self, b, 'cycles point into the clone');
    assert.equal(b.fn, a.fn, 'functions are shared');
    assert.equal(b.helper, a.helper, 'class instances are shared');
    assert.equal(b.first.signature, a.first.signature, 'signatures are immutable and shared');
    assert.deepEqual(b.namedPredictors().map(([n]) => n), a.namedPredictors().map(([n]) => n));
  });

  it('is independent of the original', () => {
    const a = new Multi();
    const b = a.clone();
    b.first.instructions = 'changed';
    b.first.demos.push({ question: 'x', answer: 'y' });
    b.hops[1].summarize.instructions = 'other';
    assert.notEqual(a.first.instructions, 'changed');
    assert.equal(a.first.demos.length, 0);
    assert.notEqual(a.hops[1].summarize.instructions, 'other');
    assert.deepEqual(a.clone().saveState(), a.saveState());
  });
});
