import { strict as assert } from 'node:assert';
import type { ModuleCallRecord } from '../../../../../src/protocol/trace';
import { createLM } from '../../../../../src/engine/lm';
import type { LMRequest } from '../../../../../src/engine/lm/types';
import { LMError } from '../../../../../src/engine/lm/types';
import { CountingLM } from '../../../../../src/engine/optimize/prompt/budget';
import {
  PROPOSAL_TIPS, formatDatasetSummary, formatProgramSummary, parseProposal, proposeInstructions, summarizeDataset, summarizeProgram, type ProposeOptions,
} from '../../../../../src/engine/optimize/prompt/propose';
import { Module, Predict, defineTask } from '../../../../../src/engine/sdk';
import { chatCompletion, FakeOpenAIServer } from '../../../../fixtures/fakeOpenAIServer';
import { ScriptedLM } from '../../../../fixtures/scriptedLM';

class Intent extends Module {
  triage = new Predict({ inputs: { utterance: { type: 'string', desc: 'the customer message' } }, outputs: { category: { type: { kind: 'literal', values: ['card', 'transfer'] } } } }, { instructions: 'Pick the area.' });
  classify = new Predict('utterance, category -> intent', { instructions: 'Name the intent.' });
  async forward(input: { utterance: string }) {
    const { category } = await this.triage.forward(input);
    return this.classify.forward({ utterance: input.utterance, category });
  }
}

const ROWS = Array.from({ length: 12 }, (_, i) => ({ utterance: `message number ${i}`, category: i % 3 === 0 ? 'transfer' : 'card', intent: `i${i % 4}` }));
const task = () => defineTask({ name: 'intent', program: new Intent(), inputs: ['utterance'], trainset: ROWS, metric: () => 1 });

function call(module: string, inputs: Record<string, unknown>, outputs: Record<string, unknown>): ModuleCallRecord {
  return { module, invocation: 0, messages: [], completion: '', inputs, outputs, latencyMs: 0 };
}

const SAMPLE = {
  inputs: { utterance: 'message number 3' },
  trace: [call('triage', { utterance: 'message number 3' }, { category: 'transfer' }), call('classify', { utterance: 'message number 3', category: 'transfer' }, { intent: 'i3' })],
};

const answer = (text: string) => `[[ ## proposed_instruction ## ]]\n${text}\n\n[[ ## completed ## ]]`;
const userOf = (r: LMRequest) => r.messages[r.messages.length - 1].content;

describe('program and data summaries for instruction proposal', () => {
  it('names modules, typed fields with descriptions, instructions, call order and data flow', () => {
    const s = summarizeProgram(new Intent(), SAMPLE);
    assert.deepEqual(s.modules.map((m) => m.name), ['triage', 'classify']);
    assert.deepEqual(s.modules[0].inputs, [{ name: 'utterance', type: 'str', description: 'the customer message' }]);
    assert.deepEqual(s.modules[0].outputs, [{ name: 'category', type: "Literal['card', 'transfer']" }]);
    assert.equal(s.modules[1].instructions, 'Name the intent.');
    assert.deepEqual(s.callOrder, ['triage', 'classify']);
    assert.deepEqual(s.dataFlow, [
      { module: 'triage', field: 'utterance', from: 'example.utterance' },
      { module: 'classify', field: 'utterance', from: 'example.utterance' },
      { module: 'classify', field: 'category', from: 'triage.category' },
    ]);
    const text = formatProgramSummary(s);
    assert.match(text, /1\. triage\n {3}inputs: utterance \(str\) - the customer message/);
    assert.match(text, /called in this order: triage -> classify/);
    assert.match(text, /classify\.category <- triage\.category/);
    assert.match(text, /current instruction: Pick the area\./);
    // Without a sample run the summary still has the modules, and says nothing about order.
    const bare = summarizeProgram(new Intent());
    assert.deepEqual([bare.callOrder, bare.dataFlow], [[], []]);
    assert.doesNotMatch(formatProgramSummary(bare), /order/);
  });

  it('describes fields, label distributions of categorical fields only, and a seeded sample', () => {
    const s = summarizeDataset(ROWS, { inputs: ['utterance'], seed: 4 });
    assert.equal(s.size, 12);
    const by = Object.fromEntries(s.fields.map((f) => [f.name, f]));
    assert.equal(by.utterance.role, 'input');
    assert.equal(by.utterance.distribution, undefined, 'free text is not a category');
    assert.equal(by.category.role, 'label');
    assert.deepEqual(by.category.distribution, [{ value: 'card', count: 8 }, { value: 'transfer', count: 4 }]);
    assert.deepEqual(by.intent.distribution!.map((d) => d.count), [3, 3, 3, 3]);
    assert.equal(s.examples.length, 3);
    assert.deepEqual(summarizeDataset(ROWS, { inputs: ['utterance'], seed: 4 }).examples, s.examples, 'same seed, same sample');
    assert.notDeepEqual(summarizeDataset(ROWS, { inputs: ['utterance'], seed: 5 }).examples, s.examples);
    const text = formatDatasetSummary(s);
    assert.match(text, /12 example\(s\)/);
    assert.match(text, /- category \(label; string, about \d+ characters; 2 distinct value\(s\)\)\n {2}distribution: card 67%, transfer 33%/);
    assert.match(text, new RegExp(`Example 1:\\n  utterance: ${s.examples[0].utterance}`));
  });
});

describe('parseProposal', () => {
  it('accepts the field marker or JSON, cleans quotes, and rejects free text', () => {
    assert.deepEqual(parseProposal(answer('"Be exact."'), 100), { ok: true, instruction: 'Be exact.', shortened: false });
    assert.deepEqual(parseProposal('Sure!\n```json\n{"instruction": "Think, then answer."}\n```', 100), { ok: true, instruction: 'Think, then answer.', shortened: false });
    assert.deepEqual(parseProposal('{"proposed_instruction": "Read twice."}', 100), { ok: true, instruction: 'Read twice.', shortened: false });
    assert.deepEqual(parseProposal('Here is a better instruction: be exact.', 100), { ok: false, reason: 'malformed' });
    assert.deepEqual(parseProposal(answer('   '), 100), { ok: false, reason: 'empty' });
  });

  it('cuts an over-long instruction at a sentence end, or drops it when there is none', () => {
    const long = `First sentence is here. ${'x'.repeat(200)}`;
    assert.deepEqual(parseProposal(answer(long), 40), { ok: true, instruction: 'First sentence is here.', shortened: true });
    assert.deepEqual(parseProposal(answer('y'.repeat(300)), 40), { ok: false, reason: 'too_long' });
  });
});

describe('proposeInstructions', () => {
  function options(lm: ProposeOptions['lm'], over: Partial<ProposeOptions> = {}): ProposeOptions {
    const t = task();
    return {
      program: t.program, task: t, lm, sample: SAMPLE, perModule: 3, temperature: 0.9, seed: 7, concurrency: 2,
      demoSets: { triage: [[], [{ utterance: 'DEMO-UTTERANCE', category: 'card' }]], classify: [[]] },
      ...over,
    };
  }

  it('asks perModule times per module, grounded in program, data, demos and a tip, at temperature > 0', async () => {
    const lm = new ScriptedLM((req, i) => answer(`Instruction ${i} for ${/Module to instruct: (\w+)/.exec(userOf(req))![1]}.`));
    const metered = new CountingLM(lm); // token use is metered around the client, as the p stage does
    const r = await proposeInstructions(options(metered));
    assert.equal(lm.callCount, 6);
    assert.equal(r.cancelled, false);
    assert.equal(r.instructions.triage.length, 3);
    assert.equal(r.instructions.classify.length, 3);
    assert.ok(r.instructions.triage.every((t) => /^Instruction \d for triage\.$/.test(t)));
    assert.equal(r.stats.calls, 6);
    assert.equal(metered.calls, 6);
    assert.ok(metered.promptTokens > 0 && metered.completionTokens > 0);
    for (const req of lm.requests) {
      assert.ok(req.temperature! > 0);
      const user = userOf(req);
      assert.match(user, /## Program\n.*2 module/);
      assert.match(user, /called in this order: triage -> classify/);
      assert.match(user, /distribution: card 67%, transfer 33%/);
    }
    const triage = lm.requests.filter((q) => /Module to instruct: triage/.test(userOf(q)));
    assert.ok(triage.every((q) => userOf(q).includes('DEMO-UTTERANCE')), 'the bootstrapped demos of the module are shown');
    assert.ok(lm.requests.filter((q) => /Module to instruct: classify/.test(userOf(q))).every((q) => !userOf(q).includes('## Example calls of this module')));
    const tips = new Set(lm.requests.map((q) => PROPOSAL_TIPS.find((t) => t && userOf(q).includes(t)) ?? 'none'));
    assert.ok(tips.size >= 2, 'seeded tips vary between calls');
    const again = new ScriptedLM((req, i) => answer(`Instruction ${i} for ${/Module to instruct: (\w+)/.exec(userOf(req))![1]}.`));
    await proposeInstructions(options(again, { concurrency: 1 }));
    assert.deepEqual(again.requests.map((q) => [q.seed, userOf(q)]).sort(), lm.requests.map((q) => [q.seed, userOf(q)]).sort(), 'same seed, same prompts');
  });

  it('with structured outputs, asks for the instruction as schema-bound JSON and reads it', async () => {
    const lm = new ScriptedLM((_, i) => JSON.stringify({ proposed_instruction: `Classify it, take ${i}.` }));
    const r = await proposeInstructions(options(lm, { perModule: 1, structuredOutputs: true }));
    assert.deepEqual(r.instructions, { triage: ['Classify it, take 0.'], classify: ['Classify it, take 1.'] });
    for (const req of lm.requests) {
      assert.deepEqual(req.extraBody, {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'proposal', strict: true, schema: { type: 'object', properties: { proposed_instruction: { type: 'string' } }, required: ['proposed_instruction'], additionalProperties: false } },
        },
      });
    }
    const plain = new ScriptedLM((_, i) => answer(`Instruction ${i}.`));
    await proposeInstructions(options(plain, { perModule: 1 }));
    assert.ok(plain.requests.every((q) => q.extraBody === undefined), 'no response_format unless the server enforces it');
  });

  it('drops and counts malformed, duplicate, empty and failed answers without throwing', async () => {
    // One at a time: triage's three calls, then classify's.
    const script = [
      answer('Read the message, then pick.'),
      answer('read the message,   then pick'), // duplicate up to case, spacing and final punctuation
      answer('Pick the area.'), // duplicate of the current instruction
      'I think you should be careful.', // malformed
      answer(''),
      new LMError('server', 'HTTP 500 after retries'),
    ];
    const lm = new ScriptedLM(script);
    const r = await proposeInstructions(options(lm, { concurrency: 1 }));
    assert.deepEqual(r.instructions, { triage: ['Read the message, then pick.'], classify: [] });
    assert.deepEqual([r.stats.malformed, r.stats.duplicates, r.stats.empty, r.stats.failed], [1, 2, 1, 1]);
    assert.match(r.stats.firstError!, /HTTP 500/);
    assert.equal(r.cancelled, false);
  });

  it('stops as cancelled when its signal aborts', async () => {
    const controller = new AbortController();
    const lm = new ScriptedLM((_, i) => {
      if (i === 1) controller.abort();
      return answer(`Idea ${i}.`);
    });
    const r = await proposeInstructions(options(lm, { concurrency: 1, signal: controller.signal }));
    assert.equal(r.cancelled, true);
    assert.ok(lm.callCount < 6);
  });

  it('works against an OpenAI-compatible server (fake, on 127.0.0.1)', async () => {
    let k = 0;
    const server = new FakeOpenAIServer({
      model: 'writer',
      responder: (body) => {
        const module = /Module to instruct: (\w+)/.exec(body.messages!.at(-1)!.content)![1];
        k++;
        const text = k === 3 ? 'no format at all' : answer(`Server idea ${k} for ${module}.`);
        return { json: chatCompletion(text, { model: 'writer', promptTokens: 100, completionTokens: 10 }) };
      },
    });
    const url = await server.start();
    try {
      const lm = new CountingLM(createLM({ baseUrl: url, model: 'writer', maxRetries: 0 }));
      const r = await proposeInstructions(options(lm, { perModule: 2, concurrency: 1 }));
      assert.equal(server.requests.length, 4);
      assert.ok(server.requests.every((q) => (q.body.temperature as number) === 0.9 && q.body.model === 'writer'));
      assert.equal(r.stats.malformed, 1);
      assert.equal(r.instructions.triage.length + r.instructions.classify.length, 3);
      assert.deepEqual([lm.promptTokens, lm.completionTokens], [400, 40]);
    } finally {
      await server.close();
    }
  });

  it('rejects bad options before calling anything', async () => {
    const lm = new ScriptedLM([]);
    await assert.rejects(proposeInstructions(options(lm, { temperature: 0 })), /`temperature` must be > 0/);
    await assert.rejects(proposeInstructions(options(lm, { perModule: -1 })), /`perModule` must be a whole number >= 0/);
    assert.equal(lm.callCount, 0);
  });
});
