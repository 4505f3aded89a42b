/**
 * Runs `fn` with a signal that Ctrl-C (SIGINT) or SIGTERM aborts: train,
 * optimize and eval then stop within one batch and record the run as
 * cancelled (resumable) instead of dying mid-write. The handlers are removed
 * afterwards, so a second Ctrl-C outside a run ends the process as usual.
 */
export async function withCancelSignal<T>(fn: (signal: AbortSignal) => Promise<T>, proc: NodeJS.EventEmitter = process): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  proc.once('SIGINT', abort);
  proc.once('SIGTERM', abort);
  try {
    return await fn(controller.signal);
  } finally {
    proc.removeListener('SIGINT', abort);
    proc.removeListener('SIGTERM', abort);
  }
}
