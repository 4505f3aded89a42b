import type { Services } from '../services';

export const refreshRuns = (s: Services) => () => s.runs.reload();
