import { join } from 'node:path';

/**
 * How to start this engine's own CLI in a child process. In the bundle this
 * code lives inside dist/cli.js; from source (tests, tsx) the TypeScript entry
 * runs through tsx. Kept in one place so every spawner agrees.
 */
export function selfCommand(): { command: string; args: string[] } {
  if (__filename.endsWith('.js')) return { command: process.execPath, args: [__filename] };
  return { command: process.execPath, args: ['--require', require.resolve('tsx/cjs'), join(__dirname, '..', '..', 'cli', 'main.ts')] };
}
