import type { ChatMessage } from '../../protocol/lm';
import { badRequest } from './httpError';

/**
 * Strict reader of one JSON object of a request body. Every accessor names the
 * offending field by its path (e.g. `batch[1][0].reward`), because the person
 * reading the 400 is usually debugging a client they did not write.
 */

export interface NumberRule {
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
  integer?: boolean;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

export function asObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const where = path === '' ? 'The request body' : `\`${path}\``;
    throw badRequest(`${where} must be a JSON object, got ${describe(value)}.`, path || undefined);
  }
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw badRequest(`\`${path}\` must be an array, got ${describe(value)}.`, path);
  return value;
}

function ruleText(rule: NumberRule): string {
  const parts: string[] = [];
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.min !== undefined) parts.push(`>= ${rule.min}`);
  if (rule.max !== undefined) parts.push(`<= ${rule.max}`);
  return (rule.integer ? 'an integer' : 'a number') + (parts.length ? ` ${parts.join(' and ')}` : '');
}

export function checkNumber(value: unknown, path: string, rule: NumberRule = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isSafeInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max) &&
    (rule.above === undefined || value > rule.above);
  if (!ok) throw badRequest(`\`${path}\` must be ${ruleText(rule)}, got ${describe(value)}.`, path);
  return value as number;
}

export function checkString(value: unknown, path: string, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) {
    throw badRequest(`\`${path}\` must be a ${allowEmpty ? '' : 'non-empty '}string, got ${describe(value)}.`, path);
  }
  return value;
}

export class Fields {
  readonly obj: Record<string, unknown>;

  constructor(
    value: unknown,
    readonly path: string,
  ) {
    this.obj = asObject(value, path);
  }

  /** Rejects keys outside `allowed`, as Arbor's schemas do. */
  allowOnly(allowed: readonly string[]): this {
    for (const key of Object.keys(this.obj)) {
      if (!allowed.includes(key)) {
        const at = joinPath(this.path, key);
        throw badRequest(`Unknown field \`${at}\`. Allowed fields here: ${allowed.join(', ')}.`, at);
      }
    }
    return this;
  }

  at(key: string): string {
    return joinPath(this.path, key);
  }

  /** A value that is absent or null counts as not given. */
  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  required(key: string): unknown {
    if (!this.has(key)) throw badRequest(`Missing required field \`${this.at(key)}\`.`, this.at(key));
    return this.obj[key];
  }

  string(key: string): string {
    return checkString(this.required(key), this.at(key));
  }

  optString(key: string): string | undefined {
    return this.has(key) ? checkString(this.obj[key], this.at(key)) : undefined;
  }

  number(key: string, rule: NumberRule = {}): number {
    return checkNumber(this.required(key), this.at(key), rule);
  }

  optNumber(key: string, rule: NumberRule = {}): number | undefined {
    return this.has(key) ? checkNumber(this.obj[key], this.at(key), rule) : undefined;
  }

  optBoolean(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    if (typeof v !== 'boolean') throw badRequest(`\`${this.at(key)}\` must be true or false, got ${describe(v)}.`, this.at(key));
    return v;
  }

  optEnum<T extends string>(key: string, values: readonly T[]): T | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      throw badRequest(`\`${this.at(key)}\` must be one of ${values.join(', ')}, got ${describe(v)}.`, this.at(key));
    }
    return v as T;
  }

  optObject(key: string): Fields | undefined {
    return this.has(key) ? new Fields(this.obj[key], this.at(key)) : undefined;
  }

  object(key: string): Fields {
    return new Fields(this.required(key), this.at(key));
  }
}

// OpenAI's `developer` role is the system role of newer models; clients send it to any model.
const ROLES = ['system', 'developer', 'user', 'assistant'] as const;

/** Message content: a string, or OpenAI's list of `{type: 'text', text}` parts (joined). */
function messageContent(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw badRequest(`\`${path}\` must be a string or a list of text parts, got ${describe(value)}.`, path);
  return value
    .map((part, i) => {
      const f = new Fields(part, joinPath(path, i));
      // The type first: an image part should hear "text only", not "unknown field image_url".
      if (f.obj.type !== 'text') {
        throw badRequest(`\`${f.at('type')}\` must be "text" (this server takes text only), got ${describe(f.obj.type)}.`, f.at('type'));
      }
      f.allowOnly(['type', 'text']);
      return checkString(f.obj.text, f.at('text'), true);
    })
    .join('');
}

export function readMessages(value: unknown, path: string): ChatMessage[] {
  const list = asArray(value, path);
  if (list.length === 0) throw badRequest(`\`${path}\` must hold at least one message.`, path);
  return list.map((raw, i) => {
    const f = new Fields(raw, joinPath(path, i)).allowOnly(['role', 'content', 'name']);
    const role = f.optEnum('role', ROLES);
    if (role === undefined) throw badRequest(`Missing required field \`${f.at('role')}\` (system, developer, user or assistant).`, f.at('role'));
    f.optString('name');
    const content = messageContent(f.required('content'), f.at('content'));
    return { role: role === 'developer' ? 'system' : role, content };
  });
}
