import type { Services } from '../services';
import { runTaskCommand } from './runTask';

export const evaluate = (s: Services) => (arg?: unknown) => runTaskCommand(s, 'eval', arg);
