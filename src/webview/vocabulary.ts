// The panel's words for the engine's names, in one place: stage names such as
// "p1" and "w", rollout policies ("student", teachers) and summary keys get a
// tooltip that says what they are, so nothing on screen is unexplained.

/** "p1" -> prompt stage 1, "w" -> weights stage; undefined for names that are not stages. */
export function explainStage(stage: string): string | undefined {
  const p = /^p(\d+)$/.exec(stage);
  if (p) return `${stage}: prompt-optimization stage ${p[1]} (strategy "p": searches instructions and demos for each module, scored on the val set; weights unchanged)`;
  if (stage === 'w' || stage === 'mmgrpo') return `${stage}: weights stage (strategy "w": trains the model's weights with multi-module GRPO on rollouts of the program)`;
  if (stage === 'eval' || stage.startsWith('eval-')) return `${stage}: evaluation of the program on a data split`;
  return undefined;
}

/** What a run kind means, since the editor's Train creates an optimize run while the CLI's train is weights only. */
export function explainKind(kind: string): string {
  if (kind === 'optimize') return 'optimize run: one or more stages, p (prompts) and/or w (weights), e.g. "p -> w"; the editor\'s Train and Optimize prompts create these (mmgrpo optimize)';
  if (kind === 'train') return 'train run: weights only, multi-module GRPO steps (mmgrpo train)';
  if (kind === 'eval') return 'eval run: the program scored on a data split, nothing trained (mmgrpo eval)';
  return `${kind} run`;
}

export const POLICY_HELP =
  'Which program produced the rollout: "student" is the program being trained; any other name is a teacher, ' +
  'another program of the task (defineTask teachers, --teachers) whose rollouts join the same reward groups. For eval runs it is the data split.';

export const ZERO_VARIANCE_HELP = 'All rewards in the group are equal: no learning signal, so the group is not trained on';

/** Tooltip for a summary key such as "p1/final" or "val/score": the stage part explained, if it is one. */
export function explainKey(key: string): string {
  const [head, ...rest] = key.split('/');
  const stage = explainStage(head);
  const tail = rest.join('/');
  const what = KEY_WORDS[tail] ?? KEY_WORDS[key];
  return [stage, what].filter(Boolean).join(' · ') || key;
}

const KEY_WORDS: Record<string, string> = {
  score: 'score on the split (mean of the task metric)',
  start: 'val score of the program before this stage',
  final: 'val score of the program this stage handed on',
  best: 'best val score reached',
  best_step: 'step with the best val score',
  errors: 'examples whose run or metric threw',
  steps: 'training steps finished',
};

/** Splits a prompt version label like "p1 trial-3" into its stage and the rest, for a tooltip. */
export function explainVersion(label: string): string {
  if (label === 'start') return "start: the program's own prompts, before any optimization";
  const stage = label.split(' ')[0];
  const s = explainStage(stage);
  return s ? `${label} — ${s}; the trial that first proposed this candidate` : label;
}
