import { StringDecoder } from 'node:string_decoder';
import { RUN_EVENT_TYPES, type RunEvent } from '../../protocol/events';
import { errorText, log } from '../log';

// Reading the CLI's `--json` stdout: JSON lines arrive in arbitrary chunks
// (a line may be split anywhere, even inside a UTF-8 sequence).

/** Splits a byte stream into complete lines; keeps the unfinished tail for the next chunk. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private tail = '';

  push(chunk: Buffer | string): string[] {
    const text = this.tail + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.tail = parts.pop() ?? '';
    return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }

  /** The last line when the stream ended without a newline. */
  flush(): string[] {
    const rest = this.tail + this.decoder.end();
    this.tail = '';
    return rest.trim() === '' ? [] : [rest];
  }
}

const KNOWN = new Set<string>(RUN_EVENT_TYPES);

/** A run event from one stdout line, or undefined for anything else (plain text, newer event types). */
export function parseEventLine(line: string): RunEvent | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (err) {
    // Plain text that happens to start with "{": shown as text, noted in the trace.
    log.trace(`Not an event line (${errorText(err)}): ${t.slice(0, 80)}`);
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const e = v as Record<string, unknown>;
  if (typeof e.type !== 'string' || !KNOWN.has(e.type) || typeof e.seq !== 'number') return undefined;
  return v as RunEvent;
}

/** An event of a type this extension does not know (a newer CLI): skipped, not echoed as raw JSON. */
export function isUnknownEvent(line: string): boolean {
  if (!line.trim().startsWith('{')) return false;
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    return v !== null && typeof v === 'object' && typeof v.type === 'string' && typeof v.seq === 'number' && !KNOWN.has(v.type);
  } catch (err) {
    log.trace(`Not JSON (${errorText(err)}): ${line.slice(0, 80)}`);
    return false;
  }
}
