// The extension's settings as one typed object. Kept free of `vscode` so the
// CLI argument building that depends on it can be unit-tested in Node.

export type Backend = 'embedded' | 'remote';

export interface MmgrpoSettings {
  /** Where training runs: the embedded CPU model or remote inference + trainer servers. */
  backend: Backend;
  /** OpenAI-compatible inference server (remote backend and evaluation); '' = CLI default. */
  inferenceUrl: string;
  /** Arbor-compatible trainer server (remote backend); '' = CLI default. */
  trainerUrl: string;
  /** Model to use or train (remote backend); '' = the task's own model. */
  model: string;
}

export const SETTINGS_SECTION = 'mmgrpo';

/** SecretStorage key of the API key; the key lives nowhere else. */
export const API_KEY_SECRET = 'mmgrpo.apiKey';

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** Settings from a `get(key)` accessor (VS Code's WorkspaceConfiguration.get in the host). */
export function readSettings(get: (key: string) => unknown): MmgrpoSettings {
  return {
    backend: get('backend') === 'remote' ? 'remote' : 'embedded',
    inferenceUrl: str(get('inferenceUrl')),
    trainerUrl: str(get('trainerUrl')),
    model: str(get('model')),
  };
}
