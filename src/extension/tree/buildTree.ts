import type { GroupRecord, RolloutRecord, RunStatus, StepFinishedEvent } from '../../protocol/events';
import { formatScore } from '../../protocol/scoreFormat';
import { ageText, resumeProblem, runKindLabel, valScoreOf, type RunInfo } from '../runs/runFacts';

// The Runs view as pure data: tasks → runs → steps → modules → groups →
// rollouts. The TreeDataProvider maps nodes to TreeItems and nothing else.

/** What the tree needs of a run: the lenses' view of it, without the final state. */
export type TreeRun = Omit<RunInfo, 'resultState'>;

export type RunsNode =
  | { kind: 'task'; taskFile: string; taskName: string; runDirs: string[] }
  | { kind: 'run'; runDir: string }
  | { kind: 'step'; runDir: string; stage: string; step: number }
  | { kind: 'module'; runDir: string; stage: string; step: number; module: string }
  | { kind: 'group'; runDir: string; stage: string; step: number; module: string; group: number }
  | { kind: 'rollout'; runDir: string; stage: string; step: number; module: string; group: number; member: number; rollout: number; reward: number; advantage: number };

export interface ItemSpec {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  expandable: boolean;
  /** Drives the context menu (`viewItem == ...` in package.json). */
  contextValue: string;
  icon?: string;
}

/** Top level: one node per task file, its runs newest first (input order). */
export function taskNodes(runs: readonly TreeRun[]): RunsNode[] {
  const byFile = new Map<string, { taskName: string; runDirs: string[] }>();
  for (const r of runs) {
    const t = byFile.get(r.manifest.taskFile) ?? { taskName: r.manifest.taskName, runDirs: [] };
    t.runDirs.push(r.dir);
    byFile.set(r.manifest.taskFile, t);
  }
  return [...byFile].map(([taskFile, t]) => ({ kind: 'task', taskFile, ...t }));
}

/** The last step_finished of each (stage, step): a resumed run may redo a step. */
function finishedSteps(run: TreeRun): StepFinishedEvent[] {
  const byKey = new Map<string, StepFinishedEvent>();
  for (const e of run.events) if (e.type === 'step_finished') byKey.set(`${e.stage}\u0000${e.step}`, e);
  return [...byKey.values()];
}

function stepEvent(run: TreeRun, stage: string, step: number): StepFinishedEvent | undefined {
  return finishedSteps(run).find((e) => e.stage === stage && e.step === step);
}

/** The rollouts a finished step counted: the last rollouts event before its step_finished. */
export function stepRollouts(run: TreeRun, stage: string, step: number): RolloutRecord[] {
  let latest: RolloutRecord[] = [];
  let found: RolloutRecord[] = [];
  for (const e of run.events) {
    if (e.type === 'rollouts' && e.stage === stage && e.step === step) latest = e.rollouts;
    if (e.type === 'step_finished' && e.stage === stage && e.step === step) found = latest;
  }
  return found;
}

function moduleGroups(ev: StepFinishedEvent, module: string): GroupRecord[] {
  return ev.groups.filter((g) => g.module === module);
}

export function childrenOf(node: RunsNode, runByDir: (dir: string) => TreeRun | undefined): RunsNode[] {
  if (node.kind === 'task') return node.runDirs.map((runDir) => ({ kind: 'run', runDir }));
  const run = runByDir(node.runDir);
  if (!run) return [];
  switch (node.kind) {
    case 'run':
      return finishedSteps(run).map((e) => ({ kind: 'step', runDir: node.runDir, stage: e.stage, step: e.step }));
    case 'step': {
      const ev = stepEvent(run, node.stage, node.step);
      return (ev?.modules ?? []).map((m) => ({ kind: 'module', runDir: node.runDir, stage: node.stage, step: node.step, module: m.module }));
    }
    case 'module': {
      const ev = stepEvent(run, node.stage, node.step);
      return ev ? moduleGroups(ev, node.module).map((_, group) => ({ ...node, kind: 'group', group })) : [];
    }
    case 'group': {
      const ev = stepEvent(run, node.stage, node.step);
      const g = ev && moduleGroups(ev, node.module)[node.group];
      if (!g) return [];
      const { runDir, stage, step, module, group } = node;
      return g.members.map((m, member) => ({ kind: 'rollout', runDir, stage, step, module, group, member, rollout: m.rolloutIndex, reward: m.reward, advantage: m.advantage }));
    }
    default:
      return [];
  }
}

const STATUS_ICON: Record<RunStatus, string> = { running: 'sync~spin', completed: 'pass', cancelled: 'circle-slash', failed: 'error', interrupted: 'debug-pause' };

/**
 * A run as what the user started (kind in the editor's words), its status,
 * validation score and age: three runs of one task must not look alike. The
 * id, task and exact start time are in the tooltip.
 */
function runItem(run: TreeRun, now: number): ItemSpec {
  const val = valScoreOf(run);
  const kind = runKindLabel(run.manifest);
  const age = ageText(run.manifest.createdAt, now);
  const score = val !== undefined ? ` · val ${formatScore(val)}` : '';
  const tooltip = [
    `${kind} · ${run.status}${score}`,
    `Run ${run.id} (${run.manifest.kind} run) of ${run.manifest.taskName}`,
    `Started ${run.manifest.createdAt} (${age})`,
  ].join('\n');
  return {
    id: `run:${run.dir}`,
    label: kind,
    description: `${run.status}${score} · ${age}`,
    tooltip,
    expandable: finishedSteps(run).length > 0,
    contextValue: `mmgrpoRun${run.status === 'running' ? 'Running' : ''}${resumeProblem(run) ? '' : 'Resumable'}`,
    icon: STATUS_ICON[run.status],
  };
}

/** `now` (ms) dates the runs' ages; the view refreshes whenever runs change. */
export function itemOf(node: RunsNode, runByDir: (dir: string) => TreeRun | undefined, now = Date.now()): ItemSpec {
  if (node.kind === 'task') {
    return { id: `task:${node.taskFile}`, label: node.taskName, description: `${node.runDirs.length} run${node.runDirs.length === 1 ? '' : 's'}`, tooltip: node.taskFile, expandable: true, contextValue: 'mmgrpoTask', icon: 'beaker' };
  }
  const run = runByDir(node.runDir);
  const base = `${node.runDir}`;
  switch (node.kind) {
    case 'run':
      return run ? runItem(run, now) : { id: `run:${base}`, label: base, expandable: false, contextValue: 'mmgrpoRun' };
    case 'step': {
      const ev = run && stepEvent(run, node.stage, node.step);
      const val = ev?.valScore !== undefined ? ` · val ${formatScore(ev.valScore)}` : '';
      return { id: `step:${base}:${node.stage}:${node.step}`, label: `step ${node.step}`, description: ev ? `reward ${ev.rewardMean.toFixed(3)} ± ${ev.rewardStd.toFixed(3)}${val}` : undefined, expandable: true, contextValue: 'mmgrpoStep' };
    }
    case 'module': {
      const m = run && stepEvent(run, node.stage, node.step)?.modules.find((x) => x.module === node.module);
      const desc = m ? `${m.trainedGroups}/${m.groups} groups trained · mean ${m.rewardMean.toFixed(3)} · ${formatScore(m.fracRewardZeroStd)} zero-variance` : undefined;
      return { id: `module:${base}:${node.stage}:${node.step}:${node.module}`, label: node.module, description: desc, expandable: true, contextValue: 'mmgrpoModule', icon: 'symbol-method' };
    }
    case 'group': {
      const ev = run && stepEvent(run, node.stage, node.step);
      const g = ev && moduleGroups(ev, node.module)[node.group];
      const desc = g ? `input ${g.exampleIndex}, call ${g.invocation} · ${g.members.length} members${g.zeroVariance ? ' · zero variance' : ''}${g.trained ? '' : ' · not trained'}` : undefined;
      return { id: `group:${base}:${node.stage}:${node.step}:${node.module}:${node.group}`, label: `group ${node.group}`, description: desc, expandable: true, contextValue: 'mmgrpoGroup' };
    }
    case 'rollout': {
      // The same rollout can sit in several groups (one per module call): the id names the path.
      const id = `rollout:${base}:${node.stage}:${node.step}:${node.module}:${node.group}:${node.member}`;
      return { id, label: `rollout ${node.rollout}`, description: `reward ${node.reward.toFixed(3)} · advantage ${node.advantage.toFixed(3)}`, tooltip: 'Open the rollout (inputs, module calls, outputs)', expandable: false, contextValue: 'mmgrpoRollout', icon: 'debug-line-by-line' };
    }
  }
}
