import type { Services } from '../services';
import { runDirArg, stepArg } from './args';
import { pickRun } from './pickRun';

export const openRun = (s: Services) => async (arg?: unknown) => {
  const dir = runDirArg(arg) ?? (await pickRun(s, 'Open which run?'));
  if (dir) s.panels.show(dir, stepArg(arg));
};
