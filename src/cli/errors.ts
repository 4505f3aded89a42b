import { EXIT, MmgrpoError } from '../protocol/errors';

export { EXIT };

/** A problem with what the user asked for on the command line: printed as one line, exit code 2. */
export class UsageError extends MmgrpoError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.usage, hint });
    this.name = 'UsageError';
  }
}

/** How an error ends a command: the text for stderr and the exit code. */
interface ErrorReport {
  text: string;
  code: number;
}

const REPORT_HINT = 'This is a bug in mmgrpo, not in your input: please report it with the command you ran and the stack trace (set MMGRPO_DEBUG=1 to print it).';

/**
 * Every MmgrpoError (engine or CLI) prints its message and hint and exits
 * with its own code; anything else is a bug and says so.
 */
export function reportError(err: unknown, debug = Boolean(process.env.MMGRPO_DEBUG)): ErrorReport {
  if (err instanceof MmgrpoError) {
    // Usage errors already name their command ("mmgrpo eval: ..."): do not say mmgrpo twice.
    const line = err.message.startsWith('mmgrpo ') ? err.message : `mmgrpo: ${err.message}`;
    return { text: `${line}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`, code: err.exitCode };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { text: `mmgrpo: unexpected error: ${e.message}\n  hint: ${REPORT_HINT}\n${debug && e.stack ? e.stack + '\n' : ''}`, code: EXIT.failed };
}
