import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lmConfigFromEnv } from '../../engine/lm';
import { ConfigError, resolveMMGRPOConfig, type MMGRPOConfig, type MMGRPOConfigInput } from '../../engine/optimize/mmgrpo/config';
import { runTraining } from '../../engine/optimize/mmgrpo/trainRun';
import { estimateTrainingCost, formatEstimate } from '../../engine/optimize/mmgrpo/costEstimate';
import { ChatAdapter } from '../../engine/adapters';
import { isProcessAlive, readRun, runsRoot } from '../../engine/runs';
import { loadTaskFile } from '../../engine/tasks/loadTask';
import { choiceOption, intOption, numberOption, parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { humanPrinter, jsonPrinter } from '../progress';
import { trainReport } from '../trainReport';

export const TRAIN_HELP = `Usage: mmgrpo train <task-file> [options]
       mmgrpo train --resume <run-id> [--json]

Train the program's weights with MMGRPO (multi-module GRPO). By default the
embedded CPU model is started, warm-started on labeled module calls, then
trained; runs are recorded in .mmgrpo/runs/ and resumable.

Options (defaults in brackets):
  --steps <n>               training steps [20]
  --examples-per-step <n>   inputs per step, B [4]
  --rollouts <n>            rollouts per input, G >= 2 [8]
  --concurrency <n>         rollouts in flight [16]
  --seed <n>                seed of data order, sampling and draws [0]
  --val-every <n>           validate every n steps (and at 0 and the end) [5]
  --grouping <mode>         truncate | fill | ragged [ragged]
  --fill <strategy>         randint | max (with --grouping fill)
  --select-k <k>            keep k most reward-diverse members per group [0 = all]
  --teachers <a,b>          teacher programs of the task (defineTask teachers) sharing the rollouts
  --temperature <t>         rollout sampling temperature [1.0]
  --max-tokens <n>          completion tokens per module call [256]
  --loss <type>             grpo | bnpo | dr_grpo | dapo [dapo]
  --lr <x>                  learning rate [1e-5]
  --beta <x>                KL coefficient [0]
  --iterations <n>          optimizer iterations per batch [1]
  --init-from <dir>         embedded: start from saved weights (a checkpoint folder)
  --warm-start-epochs <n>   supervised warm start on labeled calls (0 = off) [0]
  --warm-start-lr <x>       warm start learning rate [1e-3]
  --model-config <json>     embedded model shape, e.g. {"dModel":128,"nLayer":2,"contextLength":256}
  --backend <kind>          embedded | remote [embedded]
  --inference-url <url>     OpenAI-compatible server (remote)
  --trainer-url <url>       Arbor-compatible trainer (remote)
  --model <name>            model to train (remote)
  --no-guided-choice        do not constrain literal outputs with guided_choice
  --max-lm-calls <n>        stop cleanly after n LM calls [0 = no limit]
  --max-tokens-total <n>    stop cleanly after n tokens [0 = no limit]
  --max-seconds <n>         stop cleanly after n seconds [0 = no limit]
  --config <file.json>      MMGRPO config (flags win)
  --dry-run                 print the LM calls and tokens each stage will use, then exit
  --price-prompt <x>        with --dry-run: money per 1M prompt tokens
  --price-completion <x>    with --dry-run: money per 1M completion tokens
  --resume <run-id>         continue an interrupted run from its last completed step
  --runs-dir <dir>          where runs are stored [.mmgrpo/runs]
  --json                    print run events as JSON lines on stdout
  -h, --help                this text`;

const OPTIONS = {
  steps: { type: 'string' }, 'examples-per-step': { type: 'string' }, rollouts: { type: 'string' }, concurrency: { type: 'string' },
  seed: { type: 'string' }, 'val-every': { type: 'string' }, grouping: { type: 'string' }, fill: { type: 'string' }, 'select-k': { type: 'string' }, teachers: { type: 'string' },
  temperature: { type: 'string' }, 'max-tokens': { type: 'string' }, loss: { type: 'string' }, lr: { type: 'string' }, beta: { type: 'string' },
  iterations: { type: 'string' }, 'warm-start-epochs': { type: 'string' }, 'warm-start-lr': { type: 'string' }, backend: { type: 'string' },
  'inference-url': { type: 'string' }, 'trainer-url': { type: 'string' }, model: { type: 'string' }, 'no-guided-choice': { type: 'boolean' },
  'max-lm-calls': { type: 'string' }, 'max-tokens-total': { type: 'string' }, 'max-seconds': { type: 'string' }, config: { type: 'string' },
  resume: { type: 'string' }, 'runs-dir': { type: 'string' }, json: { type: 'boolean' },
  'model-config': { type: 'string' }, 'dry-run': { type: 'boolean' }, 'price-prompt': { type: 'string' }, 'price-completion': { type: 'string' },
  'init-from': { type: 'string' },
  // For tests and experiments: another embedded backend factory.
  'backend-module': { type: 'string' }, 'backend-export': { type: 'string' },
} as const;

type Values = Record<string, string | boolean | undefined>;

export async function trainCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('train', argv, OPTIONS);
  if (v.help) {
    process.stdout.write(TRAIN_HELP + '\n');
    return EXIT.ok;
  }
  const runs = v['runs-dir'] ? resolve(v['runs-dir'] as string) : runsRoot(process.cwd());
  const resumeDir = v.resume ? resumeFolder(runs, v.resume as string) : undefined;
  if (!resumeDir && positionals.length !== 1) throw new UsageError('mmgrpo train: give one task file (e.g. `mmgrpo train examples/banking77/task.ts`) or --resume <run-id>.');
  const saved = resumeDir ? (readRun(resumeDir, isProcessAlive).manifest.config as unknown as SavedConfig) : undefined;
  const taskFile = resumeDir ? readRun(resumeDir, isProcessAlive).manifest.taskFile : resolve(positionals[0]);
  const config = saved ? resolveOrUsage(saved.mmgrpo) : configFromFlags(v);
  const warmStart = saved?.warmStart ?? { epochs: intOption('train', 'warm-start-epochs', v['warm-start-epochs'], 0), learningRate: numberOption('train', 'warm-start-lr', v['warm-start-lr'], 1e-3, 1e-9, 1)!, batchSize: 16 };
  const { task, file } = await loadTaskFile(taskFile);
  if (!task.valset?.length && !config.useTrainAsVal) throw new UsageError(`Task "${task.name}" has no valset: add one to defineTask, or set useTrainAsVal in --config.`);
  if (v['dry-run']) {
    const rows = estimateTrainingCost({ program: task.program, task, adapter: new ChatAdapter({ guidedChoice: !v['no-guided-choice'] }), config, prices: { promptPerMTok: numberOption('train', 'price-prompt', v['price-prompt'], undefined), completionPerMTok: numberOption('train', 'price-completion', v['price-completion'], undefined) } });
    process.stdout.write(`Estimated cost of training "${task.name}" (each module assumed to run once per rollout; nothing was run):\n${formatEstimate(rows)}`);
    if (warmStart.epochs > 0) process.stdout.write(`  plus a supervised warm start: ${warmStart.epochs} epochs on the labeled module calls (no LM calls)\n`);
    return EXIT.ok;
  }
  const printer = v.json ? jsonPrinter() : humanPrinter();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  try {
    const out = await runTraining({
      task, taskFile: file, workspace: process.cwd(), config, warmStart,
      guidedChoice: saved?.guidedChoice ?? !v['no-guided-choice'], adapter: saved?.adapter ?? 'chat',
      runsDir: v['runs-dir'] ? runs : undefined, resumeDir, initFrom: saved ? saved.initFrom : initFromFlag(v['init-from']), apiKey: lmConfigFromEnv(process.env).apiKey, signal: controller.signal,
      embedded: saved?.embedded ?? embeddedFromFlags(v, config.seed),
      onEvent: (e) => printer.event(e),
    });
    printer.done();
    if (!v.json) {
      process.stderr.write(trainReport(readRun(out.dir, isProcessAlive).events, out.summary));
      if (out.bestCheckpointDir) process.stderr.write(`\nBest weights (step ${out.summary['val/best_step']}): ${out.bestCheckpointDir}\n  evaluate them: mmgrpo eval ${file} --checkpoint ${out.bestCheckpointDir}\n`);
      process.stderr.write(`\nRun id: ${out.runId}${out.status === 'cancelled' ? `  (resume with: mmgrpo train --resume ${out.runId})` : ''}\n`);
    }
    return out.status === 'completed' ? EXIT.ok : EXIT.cancelled;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigint);
  }
}

interface SavedConfig {
  mmgrpo: MMGRPOConfigInput;
  warmStart: { epochs: number; learningRate: number; batchSize: number };
  guidedChoice: boolean;
  adapter: 'chat' | 'json';
  initFrom?: string;
  /** A backend factory override given at start (tests); resumes use the same. */
  embedded?: { backendModule?: string; backendExport?: string; backendOptions?: Record<string, unknown> };
}

function resumeFolder(runs: string, id: string): string {
  const dir = existsSync(id) ? resolve(id) : join(runs, id);
  if (!existsSync(join(dir, 'run.json'))) throw new UsageError(`No run "${id}" in ${runs}. See \`mmgrpo runs list\`.`);
  const run = readRun(dir, isProcessAlive);
  if (run.manifest.kind !== 'train') throw new UsageError(`Run ${id} is an ${run.manifest.kind} run; only training runs can be resumed.`);
  if (run.status === 'completed') throw new UsageError(`Run ${id} already completed; start a new run to train further.`);
  if (run.status === 'running') throw new UsageError(`Run ${id} is still running (its process is alive); cancel it before resuming.`);
  return dir;
}

function resolveOrUsage(input: MMGRPOConfigInput): MMGRPOConfig {
  try {
    return resolveMMGRPOConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`mmgrpo train: ${err.message}`);
    throw err;
  }
}

function configFromFile(path: string | undefined): MMGRPOConfigInput {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as MMGRPOConfigInput;
  } catch (err) {
    throw new UsageError(`mmgrpo train: cannot read --config ${path}: ${(err as Error).message}`);
  }
}

function configFromFlags(v: Values): MMGRPOConfig {
  const file = configFromFile(v.config as string | undefined);
  const int = (flag: string, min = 0) => (v[flag] === undefined ? undefined : intOption('train', flag, v[flag], 0, min));
  const num = (flag: string, min = 0, max = Infinity) => numberOption('train', flag, v[flag], undefined, min, max);
  const str = (flag: string) => v[flag] as string | undefined;
  return resolveOrUsage({
    ...file,
    steps: int('steps') ?? file.steps,
    examplesPerStep: int('examples-per-step', 1) ?? file.examplesPerStep,
    rolloutsPerExample: int('rollouts') ?? file.rolloutsPerExample,
    concurrency: int('concurrency', 1) ?? file.concurrency,
    seed: int('seed') ?? file.seed,
    valEvery: int('val-every', 1) ?? file.valEvery,
    groupingMode: (str('grouping') as MMGRPOConfig['groupingMode']) ?? file.groupingMode,
    fillStrategy: (str('fill') as MMGRPOConfig['fillStrategy']) ?? file.fillStrategy,
    selectKDiverse: int('select-k') ?? file.selectKDiverse,
    teachers: str('teachers')?.split(',').map((t) => t.trim()).filter(Boolean) ?? file.teachers,
    temperature: num('temperature', 0, 5) ?? file.temperature,
    maxTokens: int('max-tokens', 1) ?? file.maxTokens,
    trainer: { ...file.trainer, lossType: (choiceOrUndefined(v.loss) as MMGRPOConfig['trainer']['lossType']) ?? file.trainer?.lossType, learningRate: num('lr') ?? file.trainer?.learningRate, beta: num('beta') ?? file.trainer?.beta, numIterations: int('iterations', 1) ?? file.trainer?.numIterations },
    backend: { ...file.backend, kind: (str('backend') as 'embedded' | 'remote') ?? file.backend?.kind, inferenceUrl: str('inference-url') ?? file.backend?.inferenceUrl, trainerUrl: str('trainer-url') ?? file.backend?.trainerUrl, model: str('model') ?? file.backend?.model },
    budgets: { ...file.budgets, maxLMCalls: int('max-lm-calls') ?? file.budgets?.maxLMCalls, maxTokens: int('max-tokens-total') ?? file.budgets?.maxTokens, maxSeconds: num('max-seconds') ?? file.budgets?.maxSeconds },
  });
}

function embeddedFromFlags(v: Values, seed: number): SavedConfig['embedded'] {
  const out: NonNullable<SavedConfig['embedded']> = { backendOptions: { seed } };
  if (v['model-config']) {
    try {
      out.backendOptions = { seed, config: JSON.parse(v['model-config'] as string) as Record<string, unknown> };
    } catch (err) {
      throw new UsageError(`mmgrpo train: --model-config must be JSON, e.g. '{"dModel":128}': ${(err as Error).message}`);
    }
  }
  if (v['backend-module']) {
    out.backendModule = resolve(v['backend-module'] as string);
    out.backendExport = (v['backend-export'] as string) ?? 'createFakeBackend';
  }
  return out;
}

function initFromFlag(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  const dir = resolve(String(raw));
  if (!existsSync(join(dir, 'config.json'))) throw new UsageError(`mmgrpo train: --init-from ${dir} is not a model checkpoint folder (no config.json).`);
  return dir;
}

function choiceOrUndefined(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

export { choiceOption };
