import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CPU_SERVER_LM_LIMITS, servedModel, startEmbeddedProcess, type EmbeddedProcess } from '../../engine/backends/embeddedProcess';
import { startLocalProcess } from '../../engine/backends/localProcess';
import type { Task } from '../../engine/tasks/types';
import { makeAdapter } from '../../engine/adapters';
import { backendStructuredOutputs } from '../../engine/optimize/mmgrpo/config';
import { runEvaluation } from '../../engine/evaluate/evalRun';
import { createLM, lmConfigFromEnv } from '../../engine/lm';
import { preflightLM } from '../../engine/lm/preflight';
import { loadTaskFile } from '../../engine/tasks/loadTask';
import { storePath } from '../../engine/runs/paths';
import { readRunResult } from '../runResult';
import { choiceOption, intOption, numberOption, parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { humanPrinter, jsonPrinter } from '../progress';
import { runDirOf, runsDirOption } from '../runLookup';
import { withCancelSignal } from '../cancel';

export const EVAL_HELP = `Usage: mmgrpo eval <task-file> [options]

Evaluate a task's program on its val (or train) set and record the run in .mmgrpo/runs/.

Options (defaults in brackets):
  --split <val|train>     dataset split to evaluate [val]
  --limit <n>             only the first n examples
  --run <run-id>          evaluate a run's best program: its prompts (result.json) and,
                          unless --base-url is given, its trained embedded weights
  --checkpoint <dir>      evaluate trained embedded weights (a run's best checkpoint) on the embedded model
  --base-url <url>        OpenAI-compatible server [$MMGRPO_BASE_URL]
  --model <name>          model name [$MMGRPO_MODEL or the task's lm.model];
                          with --backend local: a pulled model or a .gguf file [smollm2]
  --backend <local|remote>  remote: the server at --base-url; local: start a real pretrained
                          model on this machine's CPU (mmgrpo models pull smollm2 first) [remote]
  --no-guided-choice      never send guided_choice (accepted for scripts written for OpenAI;
                          servers that reject the field are detected on their first 400 anyway)
  --concurrency <n>       requests in flight [8]
  --temperature <t>       sampling temperature [0]
  --max-tokens <n>        completion token limit [512]
  --adapter <chat|json>   prompt format [chat]
  --no-cache              do not use the on-disk response cache
  --seed <n>              seed recorded with the run [0]
  --runs-dir <dir>        where runs are stored [.mmgrpo/runs]
  --json                  print run events as JSON lines on stdout
  -h, --help              this text

The API key is read from $MMGRPO_API_KEY (or $OPENAI_API_KEY); it is never written to disk.`;

export async function evalCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('eval', argv, {
    split: { type: 'string' },
    limit: { type: 'string' },
    'base-url': { type: 'string' },
    checkpoint: { type: 'string' },
    run: { type: 'string' },
    model: { type: 'string' },
    backend: { type: 'string' },
    concurrency: { type: 'string' },
    temperature: { type: 'string' },
    'max-tokens': { type: 'string' },
    adapter: { type: 'string' },
    'no-cache': { type: 'boolean' },
    'no-guided-choice': { type: 'boolean' },
    seed: { type: 'string' },
    'runs-dir': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (v.help) {
    process.stdout.write(EVAL_HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('mmgrpo eval: give exactly one task file, e.g. `mmgrpo eval examples/banking77/task.ts`.');
  const split = choiceOption('eval', 'split', v.split, ['val', 'train'] as const, 'val');
  const adapterName = choiceOption('eval', 'adapter', v.adapter, ['chat', 'json'] as const, 'chat');
  const concurrency = intOption('eval', 'concurrency', v.concurrency, 8, 1);
  const seed = intOption('eval', 'seed', v.seed, 0);
  const limit = v.limit === undefined ? undefined : intOption('eval', 'limit', v.limit, 0, 1);
  const temperature = numberOption('eval', 'temperature', v.temperature, 0, 0, 2);
  const maxTokens = intOption('eval', 'max-tokens', v['max-tokens'], 512, 1);

  const backend = choiceOption('eval', 'backend', v.backend, ['local', 'remote'] as const, 'remote');
  if (backend === 'local' && (v['base-url'] || v.checkpoint)) throw new UsageError('mmgrpo eval: --backend local starts its own server; leave out --base-url and --checkpoint.');
  const { task, file } = await loadTaskFile(positionals[0]);
  const checkpoint = v.run ? fromRun(v, task, backend === 'local') : (v.checkpoint as string | undefined);
  const embedded = backend === 'local' ? await startLocalProcess({ model: v.model as string | undefined }) : checkpoint ? await startCheckpointServer(resolve(checkpoint)) : undefined;
  try {
    return await evaluateWith(v, task, file, { split, adapterName, concurrency, seed, limit, temperature, maxTokens, checkpoint }, embedded);
  } finally {
    await embedded?.stop();
  }
}

/**
 * Loads a run's best prompts into the task's program; returns its best
 * weights when they are to be served here (no --base-url given).
 */
function fromRun(v: Record<string, unknown>, task: Task, promptsOnly: boolean): string | undefined {
  if (v.checkpoint) throw new UsageError('mmgrpo eval: give --run or --checkpoint, not both (--run already uses the run\'s best checkpoint).');
  const id = v.run as string;
  const runs = runsDirOption(v);
  const result = readRunResult('eval', runDirOf(id, runs, 'eval'), id);
  try {
    task.program.loadState(result.state);
  } catch (err) {
    throw new UsageError(`mmgrpo eval: run ${id}'s program does not fit this task's program (${(err as Error).message}). Was the task changed since the run?`);
  }
  if (v['base-url'] || promptsOnly) return undefined;
  if (!result.weights) {
    if (process.env.MMGRPO_BASE_URL) return undefined;
    throw new UsageError(`mmgrpo eval: run ${id}'s best program kept the starting weights, which are not saved on disk; evaluate its prompts against a server with --base-url, or pick a run whose best stage trained weights.`);
  }
  return result.weights;
}

interface EvalSettings {
  split: 'val' | 'train';
  adapterName: 'chat' | 'json';
  concurrency: number;
  seed: number;
  limit?: number;
  temperature?: number;
  maxTokens: number;
  /** Weights served for this evaluation (--checkpoint, or the --run's best), recorded in the run's config. */
  checkpoint?: string;
}

/** Serves saved embedded weights for this evaluation only. */
async function startCheckpointServer(dir: string): Promise<EmbeddedProcess & { model: string }> {
  if (!existsSync(dir)) throw new UsageError(`mmgrpo eval: checkpoint folder ${dir} does not exist (see checkpoint_saved events in \`mmgrpo runs show <id> --json\`).`);
  const proc = await startEmbeddedProcess({ modelDir: join(dir, '..', '..', 'eval'), initFrom: dir });
  return { ...proc, model: await servedModel(proc) };
}

async function evaluateWith(v: Record<string, unknown>, task: Task, file: string, o: EvalSettings, embedded?: EmbeddedProcess & { model: string }): Promise<number> {
  const { split, adapterName, concurrency, seed, limit, temperature, maxTokens, checkpoint } = o;
  const env = { ...lmConfigFromEnv(process.env), ...(embedded ? { baseUrl: embedded.baseUrl, model: embedded.model, apiKey: embedded.token } : {}) };
  const baseUrl = embedded ? embedded.baseUrl : ((v['base-url'] as string | undefined) ?? env.baseUrl ?? task.lm?.baseUrl);
  const model = embedded ? embedded.model : ((v.model as string | undefined) ?? env.model ?? task.lm?.model);
  if (!baseUrl) throw new UsageError('mmgrpo eval: no LM server given. Pass --base-url http://127.0.0.1:8000/v1 or set MMGRPO_BASE_URL.');
  if (!model) throw new UsageError('mmgrpo eval: no model given. Pass --model NAME or set MMGRPO_MODEL.');
  const workspace = process.cwd();
  const lm = createLM({ ...env, baseUrl, model, maxConcurrency: concurrency, cacheDir: storePath(resolve(workspace), 'cache'), ...(embedded ? CPU_SERVER_LM_LIMITS : {}) });

  await preflightLM({ baseUrl, model, apiKey: env.apiKey, timeoutMs: 15_000 });
  const printer = v.json ? jsonPrinter() : humanPrinter();
  return withCancelSignal(async (signal) => {
    const out = await runEvaluation({
      task,
      taskFile: file,
      workspace,
      lm,
      split,
      limit,
      concurrency,
      seed,
      sampling: { temperature, max_tokens: maxTokens },
      adapter: makeAdapter({ adapter: adapterName, guidedChoice: Boolean(embedded) && !v['no-guided-choice'], structuredOutputs: backendStructuredOutputs(v.backend === 'local' ? 'local' : 'remote') }),
      cache: !v['no-cache'],
      config: { split, limit, concurrency, temperature, maxTokens, adapter: adapterName, backend: v.backend ?? 'remote', baseUrl, model, checkpoint, fromRun: v.run },
      runsDir: v['runs-dir'] ? resolve(v['runs-dir'] as string) : undefined,
      signal,
      usage: () => lm.usage.snapshot(),
      onEvent: (e) => printer.event(e),
    });
    printer.done();
    if (!v.json) process.stderr.write(`Run id: ${out.runId}\n`);
    return out.status === 'cancelled' ? EXIT.cancelled : EXIT.ok;
  });
}
