import * as vscode from 'vscode';
import { WALKTHROUGH_ID } from '.';

export const gettingStarted = () => () => vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
