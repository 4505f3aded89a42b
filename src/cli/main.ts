import { ENGINE_VERSION } from '../engine/version';
import { evalCommand } from './commands/evalCommand';
import { runsCommand } from './commands/runsCommand';
import { reportCommand } from './commands/reportCommand';
import { serveCommand } from './commands/serveCommand';
import { trainCommand } from './commands/trainCommand';
import { optimizeCommand } from './commands/optimizeCommand';
import { applyCommand } from './commands/applyCommand';
import { modelsCommand } from './commands/modelsCommand';
import { EXIT, reportError } from './errors';

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
    const { text, code } = reportError(err);
    process.stderr.write(text);
    return code;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      const { text, code } = reportError(err);
      process.stderr.write(text);
      process.exitCode = code;
    },
  );
}
