import type { Services } from '../services';
import { runTaskCommand } from './runTask';

export const train = (s: Services) => (arg?: unknown) => runTaskCommand(s, 'train', arg);
