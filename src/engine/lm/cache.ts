import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { TokenUsage } from '../../protocol/lm';
import type { LMChoice, LMRequest } from './types';

const CACHE_FORMAT = 1;

/** What is stored per request: the answer only, never credentials or timing. */
export interface CachedAnswer {
  model: string;
  choices: LMChoice[];
  usage: TokenUsage;
}

interface CacheFile extends CachedAnswer {
  format: number;
  key: string;
}

/** JSON with object keys sorted at every level, so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const rec = value as Record<string, unknown>;
  const parts = Object.keys(rec)
    .filter((k) => rec[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`);
  return `{${parts.join(',')}}`;
}

/**
 * SHA-256 over everything that can change the answer. The API key is deliberately left out:
 * it does not change outputs and must never reach the disk, not even hashed.
 */
export function cacheKey(baseUrl: string, model: string, request: LMRequest): string {
  const { cache: _cache, model: _model, ...rest } = request;
  const material = canonicalJson({ format: CACHE_FORMAT, baseUrl, model, request: rest });
  return createHash('sha256').update(material).digest('hex');
}

export class ResponseCache {
  constructor(readonly dir: string) {}

  fileFor(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** The stored answer, or undefined when absent, unreadable or corrupt (the caller then refetches). */
  async get(key: string): Promise<CachedAnswer | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.fileFor(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return isCacheFile(parsed, key) ? { model: parsed.model, choices: parsed.choices, usage: parsed.usage } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes via temp file + rename so concurrent readers never see a half-written entry. */
  async put(key: string, answer: CachedAnswer): Promise<void> {
    const file = this.fileFor(key);
    // Not world-writable: another local user must not be able to rewrite cached answers.
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o750 });
    const body: CacheFile = { format: CACHE_FORMAT, key, model: answer.model, choices: answer.choices, usage: answer.usage };
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.writeFile(tmp, JSON.stringify(body), { encoding: 'utf8', flag: 'wx', mode: 0o640 });
      await fs.rename(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }
}

function isCacheFile(v: unknown, key: string): v is CacheFile {
  if (v === null || typeof v !== 'object') return false;
  const f = v as Partial<CacheFile>;
  if (f.format !== CACHE_FORMAT || f.key !== key || typeof f.model !== 'string') return false;
  if (!Array.isArray(f.choices) || !f.choices.every(isChoice)) return false;
  const u = f.usage as Partial<TokenUsage> | undefined;
  return !!u && typeof u.promptTokens === 'number' && typeof u.completionTokens === 'number' && typeof u.totalTokens === 'number';
}

function isChoice(c: unknown): c is LMChoice {
  if (c === null || typeof c !== 'object') return false;
  const ch = c as Partial<LMChoice>;
  return typeof ch.text === 'string' && (ch.finishReason === null || typeof ch.finishReason === 'string');
}
