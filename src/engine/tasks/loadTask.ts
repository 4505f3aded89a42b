import { build, type Message } from 'esbuild';
import { existsSync } from 'node:fs';
import Module from 'node:module';
import { dirname, extname, relative, resolve } from 'node:path';
import * as sdk from '../sdk';
import { isTask } from './defineTask';
import type { Task } from './types';
import { MmgrpoError } from '../../protocol/errors';

/** A task file that could not be loaded: the message names the file and line. */
export class TaskLoadError extends MmgrpoError {
  constructor(message: string, readonly file: string, readonly line?: number) {
    super(message);
    this.name = 'TaskLoadError';
  }
}

export interface LoadedTask {
  task: Task;
  file: string;
}

const EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.tsx', '.jsx']);

/**
 * Bundles a user's task file with esbuild and evaluates it in this process.
 * `mmgrpo` resolves to this engine's own SDK, so the user installs nothing and
 * the classes they extend are the ones the engine recognizes.
 */
export async function loadTaskFile(path: string): Promise<LoadedTask> {
  const file = resolve(path);
  checkPath(file, path);
  const code = await bundle(file);
  const exported = evaluate(code, file);
  const task = (exported as { default?: unknown }).default ?? exported;
  if (!isTask(task)) {
    throw new TaskLoadError(
      `${display(file)} does not default-export a task. End it with \`export default defineTask({ name, program, inputs, trainset, metric })\` (defineTask is imported from 'mmgrpo').`,
      file,
    );
  }
  return { task, file };
}

function checkPath(file: string, given: string): void {
  if (!existsSync(file)) throw new TaskLoadError(`Task file not found: ${given}`, file);
  if (!EXTENSIONS.has(extname(file))) {
    throw new TaskLoadError(`${given} is not a TypeScript or JavaScript file (expected one of ${[...EXTENSIONS].join(', ')}).`, file);
  }
}

async function bundle(file: string): Promise<string> {
  try {
    const result = await build({
      entryPoints: [file],
      // Source-map paths become relative to the task's folder, which is where
      // Node resolves them from when it maps stack traces.
      absWorkingDir: dirname(file),
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      // Packages load at run time from the user's node_modules; `mmgrpo` is ours.
      packages: 'external',
      external: ['mmgrpo'],
      logLevel: 'silent',
    });
    return result.outputFiles[0].text;
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    if (!errors?.length) throw new TaskLoadError(`Cannot bundle ${display(file)}: ${(err as Error).message}`, file);
    const first = errors[0];
    const loc = first.location;
    const locFile = loc?.file ? resolve(dirname(file), loc.file) : file;
    const where = loc ? `${display(locFile)}:${loc.line}:${loc.column + 1}` : display(file);
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
    const excerpt = loc?.lineText ? `\n    ${loc.lineText.trim()}` : '';
    throw new TaskLoadError(`${where}: ${first.text}${more}${excerpt}`, locFile, loc?.line);
  }
}

type NodeModule = Module & { _compile(code: string, filename: string): void; paths: string[] };
type ModuleStatics = { _nodeModulePaths(dir: string): string[] };

function evaluate(code: string, file: string): unknown {
  process.setSourceMapsEnabled(true);
  const m = new Module(file) as NodeModule;
  m.filename = file;
  m.paths = (Module as unknown as ModuleStatics)._nodeModulePaths(dirname(file));
  const base = m.require.bind(m);
  m.require = Object.assign((id: string) => (id === 'mmgrpo' ? sdk : base(id)), base) as NodeJS.Require;
  try {
    m._compile(code, file);
  } catch (err) {
    throw runtimeError(err, file);
  }
  return m.exports;
}

function runtimeError(err: unknown, file: string): TaskLoadError {
  const e = err instanceof Error ? err : new Error(String(err));
  const frame = (e.stack ?? '').split('\n').find((l) => l.includes(file));
  const m = frame ? /:(\d+):(\d+)\)?\s*$/.exec(frame) : null;
  const line = m ? Number(m[1]) : undefined;
  const where = line ? `${display(file)}:${line}:${m![2]}` : display(file);
  return new TaskLoadError(`${where}: loading the task threw ${e.name}: ${e.message}`, file, line);
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
