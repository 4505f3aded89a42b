import * as vscode from 'vscode';
import { COMMANDS } from '../commands';
import type { RunModel } from '../runs/runModel';
import { childrenOf, itemOf, taskNodes, type RunsNode } from './buildTree';

export const RUNS_VIEW_ID = 'mmgrpo.runs';

/** The Runs view; all structure comes from buildTree, data from the in-memory RunModel. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly runs: RunModel) {
    this.sub = runs.onDidChange(() => this.changed.fire(undefined));
  }

  private readonly runByDir = (dir: string) => this.runs.get(dir);

  getChildren(node?: RunsNode): RunsNode[] {
    return node ? childrenOf(node, this.runByDir) : taskNodes(this.runs.all());
  }

  getParent(node: RunsNode): RunsNode | undefined {
    if (node.kind === 'task') return undefined;
    const run = this.runs.get(node.runDir);
    if (!run) return undefined;
    const task = taskNodes(this.runs.all()).find((t) => t.kind === 'task' && t.taskFile === run.manifest.taskFile);
    if (node.kind === 'run') return task;
    if (node.kind === 'step') return { kind: 'run', runDir: node.runDir };
    if (node.kind === 'module') return { kind: 'step', runDir: node.runDir, stage: node.stage, step: node.step };
    if (node.kind === 'group') return { kind: 'module', runDir: node.runDir, stage: node.stage, step: node.step, module: node.module };
    return { kind: 'group', runDir: node.runDir, stage: node.stage, step: node.step, module: node.module, group: node.group };
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const spec = itemOf(node, this.runByDir);
    const item = new vscode.TreeItem(spec.label, spec.expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = spec.id;
    item.description = spec.description;
    item.tooltip = spec.tooltip;
    item.contextValue = spec.contextValue;
    if (spec.icon) item.iconPath = new vscode.ThemeIcon(spec.icon);
    if (node.kind === 'run') item.command = { title: 'Open run', command: COMMANDS.openRun, arguments: [node] };
    if (node.kind === 'step') item.command = { title: 'Open step', command: COMMANDS.openRun, arguments: [{ runDir: node.runDir, step: node.step }] };
    if (node.kind === 'rollout') item.command = { title: 'Open rollout', command: COMMANDS.openRollout, arguments: [node] };
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
