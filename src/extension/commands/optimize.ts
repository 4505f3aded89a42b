import type { Services } from '../services';
import { runTaskCommand } from './runTask';

export const optimize = (s: Services) => (arg?: unknown) => runTaskCommand(s, 'optimize', arg);
