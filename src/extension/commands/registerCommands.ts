import * as vscode from 'vscode';
import { COMMANDS, type CommandId } from '.';
import type { Services } from '../services';
import type { RunsNode } from '../tree/buildTree';
import { applyInstruction } from './applyInstruction';
import { cancelRun } from './cancelRun';
import { compareRuns } from './compareRuns';
import { deleteRun } from './deleteRun';
import { evaluate } from './evaluate';
import { gettingStarted } from './gettingStarted';
import { openExample } from './openExample';
import { pullModel } from './pullModel';
import { openRollout } from './openRollout';
import { openRun } from './openRun';
import { optimize } from './optimize';
import { promptDiff } from './promptDiff';
import { refreshRuns } from './refreshRuns';
import { resumeRun } from './resumeRun';
import { setApiKey } from './setApiKey';
import { showRuns } from './showRuns';
import { train } from './train';

type Handler = (...args: unknown[]) => unknown;

/** The command table: every id in COMMANDS has exactly one handler (the type enforces it). */
export function registerCommands(s: Services, view: vscode.TreeView<RunsNode>): void {
  const handlers: Record<CommandId, Handler> = {
    [COMMANDS.train]: train(s),
    [COMMANDS.optimize]: optimize(s),
    [COMMANDS.evaluate]: evaluate(s),
    [COMMANDS.showRuns]: showRuns(s, view as vscode.TreeView<unknown>),
    [COMMANDS.openRun]: openRun(s),
    [COMMANDS.resumeRun]: resumeRun(s),
    [COMMANDS.cancelRun]: cancelRun(s),
    [COMMANDS.deleteRun]: deleteRun(s),
    [COMMANDS.compareRuns]: compareRuns(s),
    [COMMANDS.refreshRuns]: refreshRuns(s),
    [COMMANDS.promptDiff]: promptDiff(s),
    [COMMANDS.applyInstruction]: applyInstruction(s),
    [COMMANDS.setApiKey]: setApiKey(s),
    [COMMANDS.openRollout]: openRollout(s),
    [COMMANDS.openExample]: openExample(s),
    [COMMANDS.pullModel]: pullModel(s),
    [COMMANDS.gettingStarted]: gettingStarted(),
  };
  for (const [id, fn] of Object.entries(handlers)) s.context.subscriptions.push(vscode.commands.registerCommand(id, fn));
}
