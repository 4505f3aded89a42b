import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Starts bench/fakeServerMain (a zero-latency OpenAI-compatible server) in a child process,
 * so it does not share the measuring process's event loop. `entryFile`/`entryDir` are the
 * calling benchmark's own: run from source (tsx) the server runs from source too, run from
 * the esbuild bundle (dist/bench) it runs from the bundle beside it.
 */
export async function startFakeServer(entryFile: string, entryDir: string): Promise<{ baseUrl: string; stop: () => void }> {
  const bundled = entryFile.endsWith('.js');
  const args = bundled ? [join(entryDir, 'fakeServerMain.js')] : ['--require', require.resolve('tsx/cjs'), join(entryDir, 'fakeServerMain.ts')];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { baseUrl: (JSON.parse(line) as { baseUrl: string }).baseUrl, stop: () => child.stdin!.end() };
}
