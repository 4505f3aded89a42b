import { TaskLoadError } from '../engine/tasks/loadTask';
import { TaskDefinitionError } from '../engine/tasks/defineTask';
import { LMError } from '../engine/lm/types';
import { RunStoreError } from '../engine/runs';
import { ENGINE_VERSION } from '../engine/version';
import { evalCommand } from './commands/evalCommand';
import { runsCommand } from './commands/runsCommand';
import { reportCommand } from './commands/reportCommand';
import { serveCommand } from './commands/serveCommand';
import { trainCommand } from './commands/trainCommand';
import { optimizeCommand } from './commands/optimizeCommand';
import { applyCommand } from './commands/applyCommand';
import { modelsCommand } from './commands/modelsCommand';
import { ModelStoreError } from '../engine/models';
import { TrainerError } from '../engine/trainer';
import { ConfigError } from '../engine/optimize/mmgrpo/config';
import { EXIT, UsageError } from './errors';

const HELP = `mmgrpo ${ENGINE_VERSION}: optimize multi-module LM programs (prompts and weights)

Usage: mmgrpo <command> [options]

Commands:
  eval <task-file>     evaluate a task's program and record the run
  train <task-file>    train the program's weights with MMGRPO (resumable)
  optimize <task-file> prompt optimization composed with MMGRPO (--strategy "p -> w")
  apply <run-id>       write a run's optimized prompts next to its task file
  runs list            list recorded runs
  runs show <id>       show one run
  report <run>         write a self-contained HTML report of a run
  serve                run the embedded CPU model server
  models pull <name>   download a pretrained GGUF model (smollm2, gemma3-270m)
  models list          known models and where they are

Run \`mmgrpo <command> --help\` for a command's options.`;

type Command = (argv: string[]) => Promise<number>;
const COMMANDS: Record<string, Command> = { eval: evalCommand, train: trainCommand, optimize: optimizeCommand, apply: applyCommand, runs: runsCommand, report: reportCommand, serve: serveCommand, models: modelsCommand };

/** Runs the CLI; returns the exit code. Known errors become one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(ENGINE_VERSION + '\n');
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`mmgrpo: unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}. See \`mmgrpo --help\`.\n`);
    return EXIT.usage;
  }
  try {
    return await command(rest);
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  const known = err instanceof UsageError || err instanceof TaskLoadError || err instanceof TaskDefinitionError || err instanceof RunStoreError || err instanceof LMError || err instanceof TrainerError || err instanceof ConfigError || err instanceof ModelStoreError;
  if (known) {
    const message = (err as Error).message;
    // Usage errors already name their command ("mmgrpo eval: ..."): do not say mmgrpo twice.
    process.stderr.write(message.startsWith('mmgrpo ') ? `${message}\n` : `mmgrpo: ${message}\n`);
    return err instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`mmgrpo: unexpected error: ${e.message}\n${process.env.MMGRPO_DEBUG ? e.stack + '\n' : '(set MMGRPO_DEBUG=1 for the stack trace)\n'}`);
  return EXIT.failed;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`mmgrpo: ${(err as Error).message}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
