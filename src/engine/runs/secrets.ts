// Keys that hold credentials; their values never reach run files or logs.
// Anchored so that settings such as maxTokens or max_tokens are kept.
const SECRET_KEY = /^(?:api[_-]?key|[a-z_-]*secret[a-z_-]*|[a-z_-]*password|authorization|bearer|(?:access|auth|refresh|bearer|api|session)?[_-]?token)$/i;

/** Deep copy of `value` with every credential-looking field replaced by "[redacted]". */
export function redactSecrets<T>(value: T): T {
  return redact(value, new WeakSet()) as T;
}

function redact(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? '[redacted]' : redact(v, seen);
  }
  return out;
}

/** Removes literal occurrences of known secret strings from a text (error messages, logs). */
export function scrubText(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
