import { runServeCommand } from '../../embedded/server/main';
import { EXIT } from '../errors';

export const SERVE_HELP = `Usage: mmgrpo serve [options]

Run the embedded CPU model behind an OpenAI-compatible and Arbor-compatible
HTTP server on 127.0.0.1. Prints one JSON line {"baseUrl", "token"} when ready;
every request needs "Authorization: Bearer <token>".

Options:
  --port <n>                 port (default: a free one)
  --token <t>                bearer token (default: random per process)
  --model-dir <dir>          weights and checkpoints folder (default: ~/.mmgrpo/embedded)
  --init-from <dir>          start from the weights in this checkpoint folder
  --resume-training          with --init-from: also restore the optimizer state and
                             KL reference saved there (continuing the run that saved it)
  --backend-options <json>   model options, e.g. {"seed": 1}
  --exit-with-parent         stop when stdin closes
  -h, --help                 this text`;

export async function serveCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SERVE_HELP + '\n');
    return EXIT.ok;
  }
  return runServeCommand(argv);
}
