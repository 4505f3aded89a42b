import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { main } from '../../../src/cli/main';
import { evaluate, type ExampleResult } from '../../../src/engine/evaluate';
import { RunWriter, buildManifest } from '../../../src/engine/runs';
import { Module, Predict, defineTask } from '../../../src/engine/sdk';
import type { Metric } from '../../../src/engine/tasks/types';
import { ScriptedLM } from '../../fixtures/scriptedLM';

export const root = resolve(__dirname, '..', '..', '..');

export class Echo extends Module {
  answer = new Predict('question -> answer');
  async forward(input: { question: string }) {
    return this.answer.forward(input);
  }
}

/** An LM that always answers `answer: <text>` in the chat adapter's format. */
export const answering = (text = 'a1') => new ScriptedLM(() => `[[ ## answer ## ]]\n${text}\n\n[[ ## completed ## ]]`);

/** The message of whatever `fn` throws or rejects with; fails when it does not. */
export async function messageOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error, but the call succeeded');
}

/** Evaluates one example of the echo task, as `mmgrpo eval` does, and returns its recorded result. */
export async function evalOne(program: Module, metric: Metric = () => 1): Promise<ExampleResult> {
  const task = defineTask({ name: 'one', program, inputs: ['question'], trainset: [{ question: 'q1', answer: 'a1' }], metric });
  const r = await evaluate({ task, program: task.program, dataset: task.trainset, lm: answering(), concurrency: 1 });
  if (r.results.length !== 1) throw new Error('expected exactly one result');
  return r.results[0];
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', () => done()));
  const { port } = s.address() as AddressInfo;
  await new Promise((done) => s.close(done));
  return port;
}

export interface CliResult {
  code: number | null;
  stderr: string;
}

/** Runs the CLI entry point in this process, capturing what it prints on stderr. */
export async function mainInProcess(argv: string[]): Promise<CliResult> {
  const chunks: string[] = [];
  const original = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stderr: chunks.join('') };
  } finally {
    process.stderr.write = original;
  }
}

/** Spawns the CLI from source, as a user runs it. */
export function spawnCli(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), join(root, 'src', 'cli', 'main.ts'), ...args], {
      cwd,
      env: { ...process.env, MMGRPO_BASE_URL: '', OPENAI_BASE_URL: '', OPENAI_API_KEY: '', MMGRPO_API_KEY: '' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stderr }));
  });
}

/** A finished run folder of the given kind, as the run store writes it. */
export function finishedRun(dir: string, kind: 'eval' | 'train', status: 'completed' | 'failed'): string {
  const writer = RunWriter.create(dir, buildManifest({ id: 'r', kind, taskName: 'one', taskFile: 'x.ts', seed: 0, config: {}, programStateBefore: new Echo().saveState(), workspace: dir }));
  writer.append({ type: 'run_started', runId: 'r', kind, taskName: 'one', taskFile: 'x.ts' });
  writer.append({ type: 'run_finished', status, summary: {} });
  writer.close();
  return dir;
}

/** An HTTP server that accepts requests and never answers them. */
export async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const s = http.createServer(() => undefined);
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', () => done()));
  const { port } = s.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((done) => {
        s.close(() => done());
        s.closeAllConnections();
      }),
  };
}
