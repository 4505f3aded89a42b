import Module from 'node:module';

// A permissive stand-in for the `vscode` module: any property is a callable,
// constructible stub. Enough to run activate() in Node and record registrations.

type Stub = Record<string, unknown> & ((...a: unknown[]) => unknown);

export interface FakeVscode {
  api: Record<string, unknown>;
  calls: { name: string; args: unknown[] }[];
  restore(): void;
}

const API = ['EventEmitter', 'window', 'workspace', 'languages', 'tasks', 'commands', 'Uri', 'Range', 'CodeLens', 'StatusBarAlignment', 'ProgressLocation', 'TreeItem', 'TreeItemCollapsibleState', 'ThemeIcon', 'CustomExecution', 'Task', 'TaskRevealKind', 'TaskPanelKind', 'RelativePattern', 'ViewColumn', 'WorkspaceEdit'];

export function installFakeVscode(overrides: Record<string, unknown> = {}): FakeVscode {
  const calls: FakeVscode['calls'] = [];
  const stub = (name: string): Stub => {
    const target = function () {} as unknown as Stub;
    return new Proxy(target, {
      get: (_t, p) => {
        if (p === 'then') return undefined;
        if (typeof p === 'symbol') return undefined;
        const key = `${name}.${p}`;
        if (key in overrides) return overrides[key];
        return stub(key);
      },
      set: () => true,
      apply: (_t, _self, args) => {
        calls.push({ name, args });
        return stub(`${name}()`);
      },
      construct: () => stub(`new ${name}`) as object,
    });
  };
  const api: Record<string, unknown> = {};
  for (const n of API) api[n] = stub(n);
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? api : original.call(this, request, ...rest);
  };
  return { api, calls, restore: () => (loader._load = original) };
}
