import { basename } from 'node:path';
import { createLocalBackend } from '../../embedded/local/localBackend';
import { runServeCommand } from '../../embedded/server/main';
import { DEFAULT_LOCAL_MODEL } from '../../engine/backends/localProcess';
import { CATALOGUE, resolveModelFile } from '../../engine/models';
import { EXIT, UsageError } from '../errors';

export const SERVE_HELP = `Usage: mmgrpo serve [options]

Run a model on this machine's CPU behind an OpenAI-compatible (and, for the
embedded model, Arbor-compatible) HTTP server on 127.0.0.1. Prints one JSON
line {"baseUrl", "token"} when ready; every request needs
"Authorization: Bearer <token>".

Options (defaults in brackets):
  --backend <embedded|local> embedded: the tiny model that trains [embedded];
                             local: a real pretrained GGUF model, inference only
  --model <name|file.gguf>   local: a pulled model (${CATALOGUE.map((e) => e.name).join(', ')}; see
                             mmgrpo models list) or any GGUF file [${DEFAULT_LOCAL_MODEL}]
  --port <n>                 port [a free one]
  --token <t>                bearer token [random per process]
  --model-dir <dir>          embedded: weights and checkpoints folder [~/.mmgrpo/embedded]
  --init-from <dir>          embedded: start from the weights in this checkpoint folder
  --resume-training          with --init-from: also restore the optimizer state and
                             KL reference saved there (continuing the run that saved it)
  --backend-options <json>   model options, e.g. {"seed": 1} (embedded) or
                             {"sequences": 4, "contextSize": 2048, "threads": 2} (local)
  --exit-with-parent         stop when stdin closes
  -h, --help                 this text`;

/** Takes `--flag value` out of argv; undefined when absent. */
function takeFlag(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`mmgrpo serve: ${flag} needs a value.`);
  argv.splice(i, 2);
  return value;
}

function localOptions(argv: string[]): Record<string, unknown> {
  const raw = takeFlag(argv, '--backend-options');
  if (raw === undefined) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below with the expected shape
  }
  throw new UsageError('mmgrpo serve: --backend-options must be a JSON object, e.g. {"sequences": 4, "contextSize": 2048}.');
}

export async function serveCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SERVE_HELP + '\n');
    return EXIT.ok;
  }
  const rest = [...argv];
  const backend = takeFlag(rest, '--backend') ?? 'embedded';
  const model = takeFlag(rest, '--model');
  if (backend === 'embedded') {
    if (model !== undefined) throw new UsageError('mmgrpo serve: --model picks the local backend\'s model; add --backend local (the embedded model is chosen with --init-from).');
    return runServeCommand(rest);
  }
  if (backend !== 'local') throw new UsageError(`mmgrpo serve: --backend must be embedded or local, got "${backend}" (a remote backend is a server you already run).`);
  for (const flag of ['--init-from', '--resume-training']) {
    if (rest.includes(flag)) throw new UsageError(`mmgrpo serve: ${flag} loads trained embedded weights; the local backend serves its GGUF model as it is.`);
  }
  const spec = model ?? DEFAULT_LOCAL_MODEL;
  const modelPath = resolveModelFile(spec);
  const options = localOptions(rest);
  const modelName = CATALOGUE.some((e) => e.name === spec) ? spec : basename(modelPath).replace(/\.gguf$/i, '');
  return runServeCommand(rest, undefined, () => createLocalBackend({ ...options, modelPath, modelName }));
}
