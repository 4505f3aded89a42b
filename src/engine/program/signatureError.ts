import { MmgrpoError } from '../../protocol/errors';

/**
 * A signature that cannot be understood. For the string form the message names
 * the 0-based column and shows a caret under it, so the fix is obvious.
 */
export class SignatureError extends MmgrpoError {
  constructor(
    readonly reason: string,
    readonly signature?: string,
    readonly column?: number,
  ) {
    super(SignatureError.describe(reason, signature, column));
    this.name = 'SignatureError';
  }

  private static describe(reason: string, signature?: string, column?: number): string {
    if (signature === undefined) return `Invalid signature: ${reason}`;
    if (column === undefined) return `Malformed signature "${clip(signature, 0)}": ${reason}`;
    // A window around the column keeps messages short for pathological inputs.
    const from = Math.max(0, column - WINDOW / 2);
    const shown = clip(signature, from);
    const lead = from > 0 ? '…' : '';
    const excerpt = `\n  ${lead}${shown}\n  ${' '.repeat(lead.length + column - from)}^`;
    return `Malformed signature "${clip(signature, 0)}" at column ${column}: ${reason}${excerpt}`;
  }
}

const WINDOW = 120;

function clip(text: string, from: number): string {
  return text.length - from > WINDOW ? `${text.slice(from, from + WINDOW)}…` : text.slice(from);
}
