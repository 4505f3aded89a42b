// The extension's log. activate() points it at VS Code's LogOutputChannel
// "MMGRPO Studio"; this module stays vscode-free so the run-store reading and
// event parsing that report here are testable in Node (a test sets its own sink).

export interface LogSink {
  trace(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const SILENT: LogSink = { trace: () => undefined, warn: () => undefined, error: () => undefined };
let sink: LogSink = SILENT;

/** Where log lines go from now on; undefined silences the log again (deactivate, tests). */
export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? SILENT;
}

export const log: LogSink = {
  trace: (m) => sink.trace(m),
  warn: (m) => sink.warn(m),
  error: (m) => sink.error(m),
};

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Codes of a path that is simply not there (Node's, and vscode.FileSystemError's). */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'FileNotFound']);

/**
 * A failed file access: a missing file is often normal (an optional file, a
 * folder deleted meanwhile) and goes to trace; anything else (permissions, I/O)
 * is a warning the user can find in the output channel.
 */
export function logFsError(what: string, err: unknown): void {
  const code = (err as { code?: unknown } | null)?.code;
  (typeof code === 'string' && MISSING.has(code) ? log.trace : log.warn)(`${what}: ${errorText(err)}`);
}
