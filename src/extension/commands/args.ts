// Commands are invoked from lenses, the tree, the panel and the palette, each
// with its own argument shape; these guards accept all of them (vscode-free).

export interface TaskArg {
  taskFile: string;
  taskName?: string;
}

const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object';

export function taskArg(x: unknown): TaskArg | undefined {
  if (!isObj(x)) return undefined;
  if (typeof x.taskFile === 'string') return { taskFile: x.taskFile, taskName: typeof x.taskName === 'string' ? x.taskName : undefined };
  return undefined;
}

/** A run folder from a tree node ({kind:'run', runDir}) or a lens/panel argument ({runDir}). */
export function runDirArg(x: unknown): string | undefined {
  return isObj(x) && typeof x.runDir === 'string' ? x.runDir : undefined;
}

export function stepArg(x: unknown): number | undefined {
  return isObj(x) && typeof x.step === 'number' && Number.isInteger(x.step) ? x.step : undefined;
}
