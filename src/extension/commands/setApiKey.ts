import * as vscode from 'vscode';
import { API_KEY_SECRET } from '../config';
import type { Services } from '../services';

/** The key goes to SecretStorage only; runs get it as MMGRPO_API_KEY in their environment. */
export const setApiKey = (s: Services) => async () => {
  const value = await vscode.window.showInputBox({
    title: 'MMGRPO: Set API key',
    prompt: 'API key of the inference server (stored in the OS keychain; leave empty to remove it)',
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  if (value.trim() === '') {
    await s.context.secrets.delete(API_KEY_SECRET);
    void vscode.window.showInformationMessage('MMGRPO API key removed.');
  } else {
    await s.context.secrets.store(API_KEY_SECRET, value.trim());
    void vscode.window.showInformationMessage('MMGRPO API key saved.');
  }
};
