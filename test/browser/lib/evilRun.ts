import { tmpdir } from 'node:os';
import { buildManifest, RunWriter } from '../../../src/engine/runs';
import type { GroupRecord, ModuleStepStats, RolloutRecord, RunEventInput } from '../../../src/protocol/events';
import type { ChatRole } from '../../../src/protocol/lm';
import type { ModuleCallRecord } from '../../../src/protocol/trace';

// A recorded run whose every free-text field is hostile markup: what a model
// (or a poisoned dataset) could put into completions, outputs, prompts and
// errors. Each payload sets window.__pwned if it ever runs.

export const PAYLOADS = [
  '<img src=x onerror=window.__pwned=1>',
  '</script><script>window.__pwned=2</script>',
  '<a href="javascript:window.__pwned=3">x</a>',
  '<svg onload=window.__pwned=4>',
  '"><iframe src=javascript:window.__pwned=5></iframe>',
  "{{constructor.constructor('window.__pwned=6')()}} ${window.__pwned=7}",
] as const;

/** All payloads on separate lines (multi-line fields: completions, instructions, errors). */
export const EVIL_TEXT = PAYLOADS.join('\n');
/** All payloads on one line (names and keys). */
export const EVIL_LINE = PAYLOADS.join(' ');

export const RUN_ID = 'xss-run';
export const TASK_NAME = `qa ${EVIL_LINE}`;
export const MODULES = [`plan ${EVIL_LINE}`, `answer ${EVIL_LINE}`] as const;
export const STAGE = 'mmgrpo';
export const STEPS = [1, 2];
export const EXAMPLES = 2;
export const ROLLOUTS_PER_EXAMPLE = 4;
export const START_INSTRUCTIONS = `Think step by step.\n${EVIL_TEXT}`;
export const NEW_INSTRUCTIONS = `Be concise.\n${EVIL_TEXT}\nNever ${PAYLOADS[0]}`;
export const DEMOS = [{ question: EVIL_TEXT, answer: PAYLOADS[1] }];
export const COMPLETION = `Reasoning: ${PAYLOADS[0]}\nAnswer:\n${EVIL_TEXT}`;
export const CALL_ERROR = `HTTP 500 from server: ${EVIL_TEXT}`;
export const ROLLOUT_ERROR = `TypeError in metric: ${EVIL_TEXT}`;
export const PARSE_ERROR = `could not parse field "answer" from ${EVIL_LINE}`;
/** A role no producer writes, as a damaged or hostile file could hold. */
export const EVIL_ROLE = PAYLOADS[3] as ChatRole;
export const SUMMARY_KEY = `val/${PAYLOADS[0]}`;
export const TRAINER_KEY = `loss ${PAYLOADS[3]}`;

/** Rollout kinds by index in the step: 0 fails with an error, 1 has a parse failure, the rest succeed. */
function evilRollout(exampleIndex: number, rolloutIndex: number): RolloutRecord {
  const n = exampleIndex * ROLLOUTS_PER_EXAMPLE + rolloutIndex;
  const call = (module: string, i: number): ModuleCallRecord => ({
    module,
    invocation: 0,
    messages: [
      { role: 'system', content: i === 0 ? START_INSTRUCTIONS : NEW_INSTRUCTIONS },
      { role: 'user', content: `Question: ${EVIL_TEXT}` },
      { role: EVIL_ROLE, content: `Demo from ${EVIL_ROLE}: ${EVIL_TEXT}` },
    ],
    completion: COMPLETION,
    inputs: { question: EVIL_TEXT },
    outputs: { [i === 0 ? 'plan' : 'answer']: EVIL_TEXT },
    latencyMs: 12,
    model: `model ${PAYLOADS[2]}`,
    sampling: { temperature: 1, stop: PAYLOADS[1] },
    ...(n === 1 && i === 1 ? { parseError: { message: PARSE_ERROR, parsedFields: [PAYLOADS[4]], missingFields: ['answer'], fractionParsed: 0.5 } } : {}),
    ...(n === 0 && i === 1 ? { error: CALL_ERROR } : {}),
  });
  const r: RolloutRecord = {
    exampleIndex,
    datasetIndex: 10 + exampleIndex,
    rolloutIndex,
    teacher: `student ${PAYLOADS[3]}`,
    inputs: { question: EVIL_TEXT },
    trace: MODULES.map(call),
    outputs: { answer: EVIL_TEXT },
    reward: n % 2 === 0 ? 0 : 1,
    rewardKind: n === 0 ? 'failure' : n === 1 ? 'format_failure' : 'metric',
  };
  if (n === 0) r.error = ROLLOUT_ERROR;
  return r;
}

function groups(rs: RolloutRecord[]): GroupRecord[] {
  const out: GroupRecord[] = [];
  for (let e = 0; e < EXAMPLES; e++) {
    MODULES.forEach((module, callIndex) => {
      const members = rs.filter((r) => r.exampleIndex === e).map((r) => ({ rolloutIndex: r.rolloutIndex, callIndex, reward: r.reward, advantage: r.reward - 0.5, filled: false }));
      out.push({ exampleIndex: e, module, invocation: 0, members, zeroVariance: false, trained: true });
    });
  }
  return out;
}

function moduleStats(module: string): ModuleStepStats {
  return { module, groups: EXAMPLES, trainedGroups: EXAMPLES, rewardMean: 0.5, rewardStd: 0.5, fracRewardZeroStd: 0, advantageMin: -0.5, advantageMax: 0.5, formatFailureRate: 0.125, callsMin: 2, callsMean: 2, callsMax: 2 };
}

function stepEvents(step: number): RunEventInput[] {
  const rs: RolloutRecord[] = [];
  for (let e = 0; e < EXAMPLES; e++) for (let i = 0; i < ROLLOUTS_PER_EXAMPLE; i++) rs.push(evilRollout(e, i));
  return [
    { type: 'step_started', stage: STAGE, step, datasetIndices: [10, 11] },
    { type: 'rollouts', stage: STAGE, step, rollouts: rs },
    {
      type: 'step_finished', stage: STAGE, step, groups: groups(rs), modules: MODULES.map(moduleStats), trainer: { [TRAINER_KEY]: 0.25 },
      rewardMean: 0.5, rewardStd: 0.5, rollouts: { total: rs.length, formatFailures: 1, failures: 1 }, budget: { lmCalls: 16, tokens: 1000, seconds: 1 },
    },
    { type: 'eval_finished', stage: STAGE, step, split: 'val', score: 0.25 * step, count: 4, errors: 0 },
  ];
}

/** Writes the hostile training run (2 steps, 2 modules, a prompt stage) into `dir` with the real run writer. */
export function writeEvilRun(dir: string): void {
  const predictors = Object.fromEntries(MODULES.map((m) => [m, { signature: `question -> ${m}`, instructions: START_INSTRUCTIONS, demos: DEMOS }]));
  const manifest = buildManifest({ id: RUN_ID, kind: 'train', taskName: TASK_NAME, taskFile: '/x/task.ts', seed: 7, config: { note: EVIL_LINE }, workspace: tmpdir(), programStateBefore: { version: 1, predictors } });
  const w = RunWriter.create(dir, manifest);
  try {
    w.append({ type: 'run_started', runId: RUN_ID, kind: 'train', taskName: TASK_NAME, taskFile: '/x/task.ts' });
    w.append({ type: 'stage_started', stage: 'prompt', label: `Prompts ${EVIL_LINE}` });
    for (const module of MODULES) {
      w.append({ type: 'prompt_candidate', stage: 'prompt', module, candidateId: 'prompt/trial-3', parent: 'start', instructions: NEW_INSTRUCTIONS, demos: [...DEMOS, { question: PAYLOADS[4], answer: PAYLOADS[5] }], score: 0.5, changed: true });
    }
    w.append({ type: 'log', level: 'error', message: EVIL_TEXT });
    for (const step of STEPS) for (const e of stepEvents(step)) w.append(e);
    w.append({ type: 'run_finished', status: 'completed', summary: { 'val/score': 0.5, [SUMMARY_KEY]: 0.25 } });
  } finally {
    w.close();
  }
}
