import { tmpdir } from 'node:os';
import { buildManifest, RunWriter } from '../../src/engine/runs';
import type { GroupRecord, ModuleStepStats, RolloutRecord } from '../../src/protocol/events';
import type { ModuleCallRecord } from '../../src/protocol/trace';
import { seededRandom } from '../../src/engine/util/rng';

// A large synthetic training run written with the real run writer: every
// rollout makes two module calls with realistic chat messages (instructions,
// two demos, the question), so file sizes and parse costs match real runs.

export interface BigRunShape {
  steps: number;
  examplesPerStep: number;
  rolloutsPerExample: number;
  /** Rollouts of the last step, when it differs (one very large step). */
  lastStepRollouts?: number;
}

export const MODULES = ['generate_query', 'answer'] as const;
const STAGE = 'mmgrpo';

const rng = seededRandom;

const WORDS = 'the of a to in is was for on that with as by it at from his her an were which are this be or has had first one their its new after who they have two also been but not all more other when time during only year into some can most such under school these city over while team many well where years state used'.split(' ');

function sentence(r: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(r() * WORDS.length)]);
  return out.join(' ');
}

const INSTRUCTIONS: Record<string, string> = {
  generate_query: 'Given the question and the context gathered so far, write one short search query that finds the missing fact. Prefer specific names and dates; never repeat an earlier query. Reply with the fields in order, each on its own line prefixed by its name.',
  answer: 'Answer the question using only the context. Think step by step in the reasoning field, then give the shortest answer that is fully correct. If the context does not contain the answer, say what is missing.',
};

function call(r: () => number, module: string, question: string, invocation: number): ModuleCallRecord {
  const out = module === 'answer' ? 'answer' : 'query';
  const completion = `[[ ## reasoning ## ]]\n${sentence(r, 40)}\n\n[[ ## ${out} ## ]]\n${sentence(r, 8)}\n\n[[ ## completed ## ]]`;
  const demo = () => [
    { role: 'user' as const, content: `[[ ## question ## ]]\n${sentence(r, 18)}?\n\n[[ ## context ## ]]\n${sentence(r, 40)}` },
    { role: 'assistant' as const, content: `[[ ## reasoning ## ]]\n${sentence(r, 25)}\n\n[[ ## ${out} ## ]]\n${sentence(r, 5)}` },
  ];
  const promptTokens = 350 + Math.floor(r() * 100);
  const completionTokens = 60 + Math.floor(r() * 40);
  return {
    module,
    invocation,
    messages: [
      { role: 'system', content: `Your input fields are: question, context. Your output fields are: reasoning, ${out}.\n${INSTRUCTIONS[module]}` },
      ...demo(),
      ...demo(),
      { role: 'user', content: `[[ ## question ## ]]\n${question}\n\n[[ ## context ## ]]\n${sentence(r, 60)}` },
    ],
    completion,
    inputs: { question },
    outputs: { reasoning: sentence(r, 40), [out]: sentence(r, 8) },
    latencyMs: 200 + Math.floor(r() * 800),
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    model: 'Qwen/Qwen3-1.7B',
    sampling: { temperature: 1, top_p: 1, max_tokens: 512 },
  };
}

function stepRollouts(r: () => number, step: number, count: number, perExample: number): RolloutRecord[] {
  const rs: RolloutRecord[] = [];
  for (let i = 0; i < count; i++) {
    const exampleIndex = Math.floor(i / perExample);
    const question = `Which ${sentence(r, 10)} (step ${step}, example ${exampleIndex})?`;
    const reward = r() < 0.45 ? 1 : r() < 0.2 ? 0.5 : 0;
    const failed = r() < 0.01;
    rs.push({
      exampleIndex,
      datasetIndex: (step * 997 + exampleIndex) % 5000,
      rolloutIndex: i % perExample,
      teacher: 'student',
      inputs: { question },
      trace: MODULES.map((m) => call(r, m, question, 0)),
      outputs: { answer: sentence(r, 6) },
      reward: failed ? 0 : reward,
      rewardKind: failed ? 'failure' : 'metric',
      ...(failed ? { error: 'LMError: the server closed the connection (ECONNRESET) after 3 retries' } : {}),
    });
  }
  return rs;
}

function stepGroups(rs: RolloutRecord[]): GroupRecord[] {
  const byExample = new Map<number, RolloutRecord[]>();
  for (const x of rs) byExample.set(x.exampleIndex, [...(byExample.get(x.exampleIndex) ?? []), x]);
  const out: GroupRecord[] = [];
  for (const [exampleIndex, members] of byExample) {
    const mean = members.reduce((s, m) => s + m.reward, 0) / members.length;
    const zeroVariance = members.every((m) => m.reward === members[0].reward);
    MODULES.forEach((module, callIndex) => {
      out.push({ exampleIndex, module, invocation: 0, members: members.map((m) => ({ rolloutIndex: m.rolloutIndex, callIndex, reward: m.reward, advantage: m.reward - mean, filled: false })), zeroVariance, trained: !zeroVariance });
    });
  }
  return out;
}

function moduleStats(module: string, groups: GroupRecord[], rewardMean: number): ModuleStepStats {
  const mine = groups.filter((g) => g.module === module);
  const adv = mine.flatMap((g) => g.members.map((m) => m.advantage));
  return {
    module, groups: mine.length, trainedGroups: mine.filter((g) => g.trained).length, rewardMean, rewardStd: 0.4,
    fracRewardZeroStd: mine.filter((g) => g.zeroVariance).length / Math.max(1, mine.length),
    advantageMin: Math.min(...adv), advantageMax: Math.max(...adv), formatFailureRate: 0.01, callsMin: 1, callsMean: 1, callsMax: 1,
  };
}

/** Writes the run into `dir`; returns the total number of rollouts. */
export function writeBigRun(dir: string, shape: BigRunShape, seed = 1): number {
  const r = rng(seed);
  const predictors = Object.fromEntries(MODULES.map((m) => [m, { signature: `question, context -> ${m === 'answer' ? 'answer' : 'query'}`, instructions: INSTRUCTIONS[m], demos: [] }]));
  const id = `bench-${shape.steps}x${shape.examplesPerStep * shape.rolloutsPerExample}${shape.lastStepRollouts ? `-last${shape.lastStepRollouts}` : ''}`;
  const w = RunWriter.create(dir, buildManifest({ id, kind: 'train', taskName: 'multihop', taskFile: '/bench/task.ts', seed, config: {}, workspace: tmpdir(), programStateBefore: { version: 1, predictors } }));
  let total = 0;
  try {
    w.append({ type: 'run_started', runId: id, kind: 'train', taskName: 'multihop', taskFile: '/bench/task.ts' });
    for (let step = 1; step <= shape.steps; step++) {
      const count = step === shape.steps && shape.lastStepRollouts ? shape.lastStepRollouts : shape.examplesPerStep * shape.rolloutsPerExample;
      const rs = stepRollouts(r, step, count, shape.rolloutsPerExample);
      total += rs.length;
      const groups = stepGroups(rs);
      const rewardMean = rs.reduce((s, x) => s + x.reward, 0) / rs.length;
      w.append({ type: 'step_started', stage: STAGE, step, datasetIndices: [...new Set(rs.map((x) => x.datasetIndex))] });
      w.append({ type: 'rollouts', stage: STAGE, step, rollouts: rs });
      w.append({
        type: 'step_finished', stage: STAGE, step, groups, modules: MODULES.map((m) => moduleStats(m, groups, rewardMean)),
        trainer: { 'train/loss': 0.1 + r() * 0.05, 'train/kl': r() * 0.01, 'train/grad_norm': 1 + r() },
        rewardMean, rewardStd: 0.4, rollouts: { total: rs.length, formatFailures: 0, failures: rs.filter((x) => x.error).length }, budget: { lmCalls: step * rs.length * 2, tokens: step * rs.length * 900, seconds: step * 30 },
      });
      if (step % 5 === 0) w.append({ type: 'eval_finished', stage: STAGE, step, split: 'val', score: 0.3 + step / 200, count: 300, errors: 0 });
    }
    w.append({ type: 'run_finished', status: 'completed', summary: { 'val/score': 0.5, 'val/best_step': shape.steps } });
  } finally {
    w.close();
  }
  return total;
}
