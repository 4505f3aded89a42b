/**
 * A signature that cannot be understood. For the string form the message names
 * the 0-based column and shows a caret under it, so the fix is obvious.
 */
export class SignatureError extends Error {
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
    if (column === undefined) return `Malformed signature "${signature}": ${reason}`;
    const excerpt = `\n  ${signature}\n  ${' '.repeat(column)}^`;
    return `Malformed signature "${signature}" at column ${column}: ${reason}${excerpt}`;
  }
}
