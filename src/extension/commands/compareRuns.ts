import type { Services } from '../services';
import { runDirArg } from './args';
import { pickRun } from './pickRun';

export const compareRuns = (s: Services) => async (arg?: unknown) => {
  const left = runDirArg(arg) ?? (await pickRun(s, 'Compare which run?'));
  if (!left) return;
  const right = await pickRun(s, 'Compare with…', left);
  if (right) s.panels.compare(left, right);
};
