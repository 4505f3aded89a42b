import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '../../../../../src/protocol/events';
import { ChatAdapter } from '../../../../../src/engine/adapters';
import type { LMRequest } from '../../../../../src/engine/lm/types';
import { estimateCompositionCost } from '../../../../../src/engine/optimize/compose/costEstimate';
import { runComposition, type ComposeRunOptions } from '../../../../../src/engine/optimize/compose/composeRun';
import { runPromptStage } from '../../../../../src/engine/optimize/compose/promptStage';
import { resolvePromptSettings } from '../../../../../src/engine/optimize/compose/settings';
import { parseStrategy } from '../../../../../src/engine/optimize/compose/strategy';
import { resolveMMGRPOConfig } from '../../../../../src/engine/optimize/mmgrpo/config';
import type { SessionOptions } from '../../../../../src/engine/optimize/mmgrpo/openSession';
import { isProcessAlive, readRun } from '../../../../../src/engine/runs';
import { FakeOpenAIServer } from '../../../../fixtures/fakeOpenAIServer';
import { ScriptedLM } from '../../../../fixtures/scriptedLM';
import { MAGIC, QA, TwoStage, promptSensitiveLM, qaTask, reply } from '../prompt/helpers';
import { composeOptions, scriptedInference, scriptedOpener, writerFor } from './helpers';

const answer = (text: string) => reply('proposed_instruction', text);
const isProposal = (req: LMRequest) => req.messages.some((m) => m.content.includes('Module to instruct:'));
type Of<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;
const ofType = <T extends RunEvent['type']>(events: readonly RunEvent[], type: T) => events.filter((e): e is Of<T> => e.type === type);

/** A prompt model whose first answer is malformed, then MAGIC, then a plain alternative, repeating. */
function writerLM(): ScriptedLM {
  const answers = ['no format here', answer(MAGIC), answer('Reply briefly.')];
  return new ScriptedLM((_, i) => answers[i % answers.length], { model: 'writer' });
}

describe('instruction proposal in p stages', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'propose-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runPromptStage: proposed instructions become search choices, win, and show in trials, lineage and logs', async () => {
    const task = qaTask(new QA());
    const writer = writerFor(dir, task);
    const writerModel = writerLM();
    const out = await runPromptStage({
      stage: 'p1', program: task.program.clone(), task, lm: promptSensitiveLM(), adapter: new ChatAdapter(),
      settings: resolvePromptSettings({ trials: 8, minibatchSize: 4, fullEvalEvery: 2, maxDemos: 1, demoSets: 2, instructionCandidates: 3 }),
      valset: task.valset!, seed: 3, concurrency: 2, sampling: { temperature: 0 }, failureScore: 0,
      writer, parentVersion: 'start', instructionNotice: 'instructions proposed by test', proposer: { lm: writerModel, label: 'prompt model writer' },
    });
    writer.close();
    assert.equal(writerModel.callCount, 3);
    assert.ok(writerModel.requests.every((r) => r.temperature === 1), 'proposals sample at the default temperature 1');
    assert.equal(out.status, 'completed');
    assert.equal(out.valScore, 1, 'MAGIC answers every val question');
    assert.equal(out.state.predictors.qa.instructions, MAGIC);
    assert.deepEqual([out.detail.proposalCalls, out.detail.instructionsProposed, out.detail.proposalsDropped], [3, 2, 1]);
    const events = readRun(join(dir, 'run'), isProcessAlive).events;
    const logs = ofType(events, 'log').map((e) => e.message);
    assert.ok(logs.includes(`p1: instruction candidates for qa: [0] current, [1] ${JSON.stringify(MAGIC)} [2] "Reply briefly."`), logs.join('\n'));
    assert.ok(logs.includes('p1: instruction proposal by prompt model writer: 1 malformed answer(s) dropped (of 3 call(s))'));
    assert.ok(ofType(events, 'stage_started')[0].label.includes('and up to 4 instructions per module'));
    const trials = ofType(events, 'prompt_trial').filter((e) => e.scope === 'minibatch');
    assert.ok(trials.some((e) => e.params!.qa.instruction === 1), 'the search tried the proposed instruction');
    const accepted = ofType(events, 'prompt_candidate');
    const last = accepted[accepted.length - 1];
    assert.equal(last.candidateId, out.version);
    assert.equal(last.instructions, MAGIC, 'lineage carries the proposed text, so it can be diffed against its parent');
    assert.equal(last.changed, true);
    assert.equal(accepted[0].parent, 'start');
  });

  it('runPromptStage: without bootstrapped runs (maxDemos 0) one sample run still shows how modules connect', async () => {
    const task = qaTask(new TwoStage());
    const writer = writerFor(dir, task);
    const taskLM = promptSensitiveLM();
    const writerModel = writerLM();
    const out = await runPromptStage({
      stage: 'p1', program: task.program.clone(), task, lm: taskLM, adapter: new ChatAdapter(),
      settings: resolvePromptSettings({ trials: 2, minibatchSize: 2, maxDemos: 0, demoSets: 1, instructionCandidates: 1 }),
      valset: task.valset!, seed: 3, concurrency: 1, sampling: { temperature: 0 }, failureScore: 0,
      writer, parentVersion: 'start', instructionNotice: 'test', proposer: { lm: writerModel, label: 'writer' },
    });
    writer.close();
    assert.equal(out.status, 'completed');
    assert.equal(writerModel.callCount, 2);
    const user = writerModel.requests[0].messages[1].content;
    assert.match(user, /called in this order: draft -> answer\./);
    assert.match(user, /answer\.draft <- draft\.draft/);
    assert.match(user, /answer\.question <- example\.question/);
  });

  /** The shared strategy-p composition, with 3 instruction candidates per module. */
  const options = (over: Partial<ComposeRunOptions> = {}): ComposeRunOptions =>
    composeOptions(dir, { prompt: resolvePromptSettings({ trials: 6, minibatchSize: 4, fullEvalEvery: 2, maxDemos: 1, demoSets: 3, instructionCandidates: 3 }), ...over });

  it('runComposition: proposal calls and tokens count in the stage spending', async () => {
    const taskLM = promptSensitiveLM();
    const promptLM = writerLM();
    const out = await runComposition(options({ openSession: scriptedOpener(taskLM), promptLM }));
    assert.equal(out.status, 'completed');
    const run = readRun(out.dir, isProcessAlive);
    const [summary] = ofType(run.events, 'stage_summary');
    assert.equal(promptLM.callCount, 3);
    assert.equal(summary.spent.lmCalls, taskLM.callCount + promptLM.callCount);
    const promptTokens = promptLM.requests.reduce((s, r) => s + Math.ceil(r.messages.map((m) => m.content).join('\n').length / 4), 0);
    assert.ok(summary.spent.tokens > promptTokens, 'the proposals\' tokens are part of the stage\'s');
    assert.equal(summary.detail.proposalCalls, 3);
    assert.ok(ofType(run.events, 'log').some((e) => e.message.startsWith('instructions proposed by prompt model writer: 3 candidate(s) per module')));
    assert.equal(JSON.stringify(run.manifest.config).includes('apiKey'), false);
  });

  it('runComposition: the run budget stops a stage inside the proposal step', async () => {
    // Bootstrapping runs the 8 train questions (none pass without MAGIC): the 9th call is the first proposal.
    const promptLM = writerLM();
    const out = await runComposition(options({ promptLM, config: resolveMMGRPOConfig({ concurrency: 2, seed: 1, budgets: { maxLMCalls: 9 } }) }));
    assert.equal(out.status, 'cancelled');
    assert.match(out.reason!, /LM call budget reached \(9 of 9\) during stage p1/);
    assert.equal(promptLM.callCount, 1);
  });

  it('runComposition: a remote task model proposes when no prompt model is set', async () => {
    const sessionLM = new ScriptedLM((req, i, c) => (isProposal(req) ? answer(`${MAGIC}${' '.repeat(i % 2)}`) : promptSensitiveLM().complete(req).then((r) => r.choices[c].text)));
    const config = resolveMMGRPOConfig({ concurrency: 2, seed: 1, backend: { kind: 'remote', inferenceUrl: 'http://127.0.0.1:1/v1', trainerUrl: 'http://127.0.0.1:1/v1', model: 'm' } });
    const trainerSessions: SessionOptions[] = [];
    const out = await runComposition(options({ config, openSession: scriptedOpener(sessionLM, trainerSessions), openInference: scriptedInference(sessionLM) }));
    assert.equal(out.status, 'completed');
    assert.equal(trainerSessions.length, 0, 'strategy p trains nothing: no trainer session');
    assert.equal(sessionLM.requests.filter(isProposal).length, 3);
    const run = readRun(out.dir, isProcessAlive);
    assert.ok(ofType(run.events, 'log').some((e) => e.message.startsWith('instructions proposed by the task model m (set --prompt-model to use another)')));
    assert.ok(ofType(run.events, 'log').some((e) => /2 duplicate\(s\) dropped/.test(e.message)));
    assert.equal(out.best!.programState.predictors.qa.instructions, MAGIC);
  });

  it('runComposition: the embedded backend alone skips proposal with a notice naming the flag', async () => {
    const out = await runComposition(options());
    const run = readRun(out.dir, isProcessAlive);
    const notice = ofType(run.events, 'log').find((e) => e.message.startsWith('instruction proposal skipped'));
    assert.match(notice!.message, /the embedded model cannot write instructions; searching over demo sets only\. .*--prompt-model <name> --prompt-base-url <url>/);
    assert.equal(out.status, 'completed');
    // Without trials that carry params the check below would pass vacuously.
    assert.ok(ofType(run.events, 'prompt_trial').some((e) => e.params));
    assert.ok(ofType(run.events, 'prompt_trial').every((e) => !e.params || e.params.qa.instruction === 0));
  });

  it('runComposition: an unreachable or wrong prompt model fails before the run exists', async () => {
    const server = new FakeOpenAIServer({ model: 'served' });
    const url = await server.start();
    const opened: SessionOptions[] = [];
    try {
      const wrong = options({ prompt: resolvePromptSettings({ promptModel: 'other', promptBaseUrl: url }), openSession: scriptedOpener(promptSensitiveLM(), opened) });
      await assert.rejects(runComposition(wrong), /Prompt model "other" at http:\/\/127\.0\.0\.1:\d+\/v1: .*does not serve model 'other'.*--prompt-model and --prompt-base-url/);
    } finally {
      await server.close();
    }
    const down = options({ prompt: resolvePromptSettings({ promptModel: 'served', promptBaseUrl: url }), openSession: scriptedOpener(promptSensitiveLM(), opened) });
    await assert.rejects(runComposition(down), /Prompt model "served" at .*Cannot reach the LM server/);
    assert.equal(opened.length, 0, 'no backend was started');
    assert.equal(existsSync(join(dir, '.mmgrpo')), false, 'no run folder was created');
  });

  it('the dry-run estimate has a proposal row per p stage when proposal will run', () => {
    const task = qaTask(new TwoStage());
    const config = resolveMMGRPOConfig({ concurrency: 2 });
    const base = { plan: parseStrategy('p -> w -> p'), program: task.program, task, adapter: new ChatAdapter(), config };
    const withModel = estimateCompositionCost({ ...base, prompt: resolvePromptSettings({ instructionCandidates: 5, promptModel: 'm', promptBaseUrl: 'http://127.0.0.1:9/v1' }) });
    assert.deepEqual(withModel.map((r) => r.stage), ['p1/propose', 'p1', 'mmgrpo', 'p2/propose', 'p2']);
    const row = withModel[0];
    assert.equal(row.lmCalls, 10, '2 modules x 5 candidates');
    assert.equal(row.completionTokens, 10 * 400);
    assert.ok(row.promptTokens > 10 * 100, `the rendered proposal prompts are long (${row.promptTokens})`);
    const none = estimateCompositionCost({ ...base, prompt: resolvePromptSettings({ instructionCandidates: 5 }) });
    assert.deepEqual(none.map((r) => r.stage), ['p1', 'mmgrpo', 'p2'], 'the embedded model alone proposes nothing');
    const priced = estimateCompositionCost({ ...base, plan: parseStrategy('p'), prompt: resolvePromptSettings({ promptModel: 'm', promptBaseUrl: 'http://127.0.0.1:9/v1' }), prices: { promptPerMTok: 1, completionPerMTok: 2 } });
    assert.equal(priced[0].cost, (priced[0].promptTokens + 2 * priced[0].completionTokens) / 1e6);
  });

  it('prompt settings are checked before anything runs, saying what to fix', () => {
    assert.throws(() => resolvePromptSettings({ promptModel: 'm' }), /Prompt model "m" has no server: give its OpenAI-compatible base URL with --prompt-base-url <url>/);
    assert.throws(() => resolvePromptSettings({ promptModel: 'm', promptBaseUrl: 'localhost:8000' }), /promptBaseUrl "localhost:8000" is not an http\(s\) URL/);
    assert.throws(() => resolvePromptSettings({ promptBaseUrl: 'http://127.0.0.1:8000/v1' }), /promptModel is not: name the model/);
    assert.throws(() => resolvePromptSettings({ proposalTemperature: 0 }), /proposalTemperature must be in \(0, 2\]/);
    assert.throws(() => resolvePromptSettings({ instructionCandidates: -1 }), /instructionCandidates must be a whole number >= 0/);
    assert.throws(() => resolvePromptSettings({ promptModle: 'm' } as never), /Unknown prompt stage setting "promptModle"/);
    assert.equal(resolvePromptSettings({ promptModel: 'm', promptBaseUrl: 'http://h:1/v1/' }).promptBaseUrl, 'http://h:1/v1');
  });
});
