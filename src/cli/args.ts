import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** parseArgs with messages that name the command and point at its --help. */
export function parseCommandArgs(command: string, argv: string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`mmgrpo ${command}: ${msg}. See \`mmgrpo ${command} --help\`.`);
  }
}

export function intOption(command: string, name: string, raw: unknown, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`mmgrpo ${command}: --${name} must be an integer >= ${min} (got "${String(raw)}").`);
  }
  return n;
}

export function numberOption(command: string, name: string, raw: unknown, fallback: number | undefined, min = 0, max = Infinity): number | undefined {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`mmgrpo ${command}: --${name} must be a number in [${min}, ${max}] (got "${String(raw)}").`);
  }
  return n;
}

export function choiceOption<T extends string>(command: string, name: string, raw: unknown, choices: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) {
    throw new UsageError(`mmgrpo ${command}: --${name} must be one of ${choices.join(', ')} (got "${String(raw)}").`);
  }
  return raw as T;
}
