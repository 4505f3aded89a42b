import { strict as assert } from 'node:assert';
import { ChatAdapter } from '../../../../src/engine/adapters/chatAdapter';
import { JSONAdapter } from '../../../../src/engine/adapters/jsonAdapter';
import { LMError, type LMRequest } from '../../../../src/engine/lm/types';
import { ChainOfThought, defaultInstructions, Predict } from '../../../../src/engine/program/predict';
import { Signature } from '../../../../src/engine/program/signature';
import { currentContext, runWithContext, withLM } from '../../../../src/engine/trace/context';
import { TraceRecorder } from '../../../../src/engine/trace/recorder';
import { ScriptedLM } from '../../../fixtures/scriptedLM';

const answer = (fields: Record<string, string>): string =>
  `${Object.entries(fields).map(([k, v]) => `[[ ## ${k} ## ]]\n${v}`).join('\n\n')}\n\n[[ ## completed ## ]]`;

describe('Predict', () => {
  it('refuses to run outside a context and says how to run it', async () => {
    const p = new Predict('question -> answer');
    await assert.rejects(p.forward({ question: 'q' }), /Predict\(question -> answer\) was called outside a program run[\s\S]*runProgram[\s\S]*withLM\(lm/);
  });

  it('calls the LM with the formatted prompt and returns coerced outputs', async () => {
    const lm = new ScriptedLM([answer({ answer: ' 42 ', sure: 'yes' })]);
    const p = new Predict('question -> answer: int, sure: bool', { demos: [{ question: 'q0', answer: 1, sure: false }] });
    const out = await withLM(lm, () => p.forward({ question: 'What?' }));
    assert.deepEqual(out, { answer: 42, sure: true });
    const req = lm.requests[0];
    assert.deepEqual(req.messages.map((m) => m.role), ['system', 'user', 'assistant', 'user']);
    assert.match(req.messages[0].content, /Given the fields `question`, produce the fields `answer`, `sure`\./);
    assert.match(req.messages[3].content, /^\[\[ ## question ## \]\]\nWhat\?/);
    assert.equal(req.extraBody, undefined);
    assert.equal(req.cache, undefined);
  });

  it('uses instructions from options, then from the signature object, then the default', () => {
    assert.equal(new Predict('a -> b', { instructions: 'Mine.' }).instructions, 'Mine.');
    assert.equal(new Predict({ inputs: { a: 'string' }, outputs: { b: 'string' }, instructions: 'Sig.' }).instructions, 'Sig.');
    assert.equal(defaultInstructions(Signature.parse('a, b -> c')), 'Given the fields `a`, `b`, produce the fields `c`.');
  });

  it('merges sampling, extraBody and cache from the context into the request', async () => {
    const lm = new ScriptedLM(['card']);
    const p = new Predict("utterance -> category: Literal['card', 'transfer']");
    const ctx = {
      lm,
      adapter: new ChatAdapter({ guidedChoice: true }),
      sampling: { temperature: 0.7, max_tokens: 20, extraBody: { top_k: 5 } },
      cache: false,
    };
    const out = await runWithContext(ctx, () => p.forward({ utterance: 'lost my card' }));
    assert.deepEqual(out, { category: 'card' });
    const req = lm.requests[0] as LMRequest;
    assert.equal(req.temperature, 0.7);
    assert.equal(req.max_tokens, 20);
    assert.deepEqual(req.extraBody, { top_k: 5, guided_choice: ['card', 'transfer'] });
    assert.equal(req.cache, false);
  });

  it('records the request sampling (with extraBody, without cache) and keeps the context from the LM', async () => {
    let seen: unknown = 'not called';
    const inner = new ScriptedLM([answer({ answer: 'a' })]);
    const lm = { model: inner.model, complete: (r: LMRequest) => ((seen = currentContext()), inner.complete(r)) };
    const p = new Predict('q -> answer');
    const recorder = new TraceRecorder([['qa', p]]);
    const sampling = { temperature: 0, extraBody: { top_k: 3 } };
    await runWithContext({ lm, recorder, sampling, cache: true }, () => p.forward({ q: 'x' }));
    assert.equal(seen, undefined, 'the LM call runs outside the program context');
    const [record] = recorder.snapshot();
    assert.deepEqual(record.sampling, { temperature: 0, extraBody: { top_k: 3 } });
    assert.deepEqual(record.inputs, { q: 'x' });
    assert.deepEqual(record.outputs, { answer: 'a' });
    assert.notEqual(record.messages[0], inner.requests[0].messages[0], 'the trace holds copies of the messages');
    assert.deepEqual(record.messages, inner.requests[0].messages);
    assert.deepEqual(sampling, { temperature: 0, extraBody: { top_k: 3 } }, 'the context sampling is not modified');
  });

  it('uses the adapter from the context', async () => {
    const lm = new ScriptedLM(['{"answer": "x"}']);
    const out = await runWithContext({ lm, adapter: new JSONAdapter() }, () => new Predict('q -> answer').forward({ q: '1' }));
    assert.deepEqual(out, { answer: 'x' });
  });

  it('names unknown and missing input fields, the module and the expected fields', async () => {
    const lm = new ScriptedLM([]);
    const p = new Predict('question, context -> answer');
    const recorder = new TraceRecorder([['hop.generateQuery', p]]);
    await runWithContext({ lm, recorder }, async () => {
      await assert.rejects(
        p.forward({ question: 'q', context: 'c', extra: 1 }),
        /Predict module "hop.generateQuery" \(question, context -> answer\) expects input fields "question", "context"; got unknown input field\(s\) "extra"/,
      );
      await assert.rejects(p.forward({ question: 'q' }), /missing input field\(s\) "context"/);
      await assert.rejects(p.forward(null as never), /instead of an object/);
    });
    assert.equal(lm.callCount, 0);
    assert.equal(recorder.snapshot().length, 0);
  });

  it('ChainOfThought adds reasoning as the first output and returns it', async () => {
    const cot = new ChainOfThought('question -> answer');
    assert.deepEqual(cot.signature.outputNames, ['reasoning', 'answer']);
    assert.equal(cot.signature.toString(), 'question -> reasoning, answer');
    const lm = new ScriptedLM([answer({ reasoning: 'think', answer: 'done' })]);
    assert.deepEqual(await withLM(lm, () => cot.forward({ question: 'q' })), { reasoning: 'think', answer: 'done' });
    assert.match(lm.requests[0].messages[0].content, /\[\[ ## reasoning ## \]\][\s\S]*\[\[ ## answer ## \]\]/);
  });

  it('stops before calling the LM when the signal is already aborted', async () => {
    const lm = new ScriptedLM(['x']);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      runWithContext({ lm, signal: ac.signal }, () => new Predict('a -> b').forward({ a: '1' })),
      (e: unknown) => e instanceof LMError && e.kind === 'aborted',
    );
    assert.equal(lm.callCount, 0);
  });

  it('copies demos given to the constructor and lets instructions and demos be replaced', () => {
    const demos = [{ a: '1', b: '2' }];
    const p = new Predict('a -> b', { demos });
    demos[0].b = 'changed';
    assert.equal(p.demos[0].b, '2');
    p.instructions = 'New.';
    p.demos = [];
    assert.equal(p.instructions, 'New.');
    assert.equal(p.demos.length, 0);
  });
});
