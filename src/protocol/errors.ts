/**
 * Exit codes of the CLI. One rule: bad input on the command line (flags,
 * arguments, --config settings, strategy) exits 2; every other known failure
 * (task file, LM server, trainer, run store, models) exits 1.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

export interface MmgrpoErrorOptions {
  /** Process exit code when this error ends a CLI command [EXIT.failed]. */
  exitCode?: number;
  /** What to do about it, when the message alone does not say. */
  hint?: string;
}

/**
 * Base of every error mmgrpo raises on purpose (engine, CLI, model servers:
 * it lives in protocol, the layer all of them may import). The CLI prints
 * any of them as the message (plus the hint) and exits with `exitCode`, so a
 * new error class reaches users without being listed anywhere.
 */
export class MmgrpoError extends Error {
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, options: MmgrpoErrorOptions = {}) {
    super(message);
    this.name = 'MmgrpoError';
    this.exitCode = options.exitCode ?? EXIT.failed;
    if (options.hint) this.hint = options.hint;
  }
}
