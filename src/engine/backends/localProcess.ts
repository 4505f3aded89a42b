import { servedModel, startEmbeddedProcess, type EmbeddedProcess } from './embeddedProcess';

/** The local backend's model when none is named: the smallest known one, SmolLM2-135M-Instruct. */
export const DEFAULT_LOCAL_MODEL = 'smollm2';

export interface LocalProcess extends EmbeddedProcess {
  /** The name requests must send as `model`. */
  model: string;
}

/**
 * `mmgrpo serve --backend local` in a child process: a real GGUF model (a
 * pulled model's name or a file path) on 127.0.0.1 with a per-process token,
 * like the embedded server, and stopped with the run.
 */
export async function startLocalProcess(o: { model?: string; onLog?: (line: string) => void; startTimeoutMs?: number }): Promise<LocalProcess> {
  const proc = await startEmbeddedProcess({ extraArgs: ['--backend', 'local', '--model', o.model ?? DEFAULT_LOCAL_MODEL], onLog: o.onLog, startTimeoutMs: o.startTimeoutMs });
  try {
    return { ...proc, model: await servedModel(proc) };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
