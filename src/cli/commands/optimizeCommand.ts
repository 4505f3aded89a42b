import { resolve } from 'node:path';
import { makeAdapter } from '../../engine/adapters';
import { lmConfigFromEnv } from '../../engine/lm';
import { compositionNeedsTrainer, estimateCompositionCost, parseStrategy, promptApiKeyFromEnv, resolvePromptSettings, runComposition, StrategyError, type ComposeRunResult, type PromptStageSettings } from '../../engine/optimize/compose';
import { backendStructuredOutputs, ConfigError, stripUndefined, type MMGRPOConfig, type MMGRPOConfigInput } from '../../engine/optimize/mmgrpo/config';
import { formatEstimate } from '../../engine/optimize/mmgrpo/costEstimate';
import { loadTaskFile } from '../../engine/tasks/loadTask';
import { intOption, numberOption, parseCommandArgs } from '../args';
import { EXIT, UsageError } from '../errors';
import { humanPrinter, jsonPrinter } from '../progress';
import { configInputFromFlags, embeddedFromFlags, initFromFlag, readConfigSections, resolveOrUsage, resumeTarget, TRAINING_OPTIONS, warmStartFromFlags, type Values } from '../trainingFlags';
import { runsDirOption } from '../runLookup';
import { formatScore } from '../../protocol/scoreFormat';
import { USE_TRAIN_AS_VAL, valsetOf } from '../../engine/tasks/valset';
import { OptimizeRunConfigSchema, savedRunConfig, type OptimizeRunConfig } from '../../engine/optimize/runConfig';
import { withCancelSignal } from '../cancel';

export const OPTIMIZE_HELP = `Usage: mmgrpo optimize <task-file> --strategy "p -> w" [options]
       mmgrpo optimize --resume <run-id> [--max-lm-calls n ...] [--json]

Prompt optimization (p: bootstrapped demo sets + TPE search) composed with
MMGRPO on the weights (w) in one recorded, resumable run. Every stage is
evaluated on the val set; the best program (prompts + weights) goes to the
run's result.json (write it next to the task with \`mmgrpo apply <run-id>\`).

Strategy:
  --strategy <s>            p | w | "p -> w" | "w -> p" | "p -> w -> p" ["p -> w"]

Prompt stages (defaults in brackets):
  --trials <n>              TPE trials per p stage [12]
  --minibatch <n>           examples per trial minibatch [25]
  --full-eval-every <n>     full evaluation of the most promising candidate every n trials [4]
  --max-demos <n>           demos per set: passing traces first, labeled examples fill the rest [2]
  --demo-sets <n>           candidate demo sets per module, the empty set included [6]
  --bootstrap-threshold <x> a teacher trace becomes a demo when the metric is >= x [1]

Instruction proposal (MIPROv2-style; the search then picks instruction x demo set per module):
  --prompt-model <name>     model that writes candidate instructions, grounded in a summary
                            of the program, the data and the bootstrapped demos
  --prompt-base-url <url>   its OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1
                            (key: $MMGRPO_PROMPT_API_KEY, else $MMGRPO_API_KEY, else
                            $OPENAI_API_KEY; never written to disk)
  --instruction-candidates <n>  instructions proposed per module, 0 = off [4]
  --proposal-temperature <x>    sampling temperature of the proposals, in (0, 2] [1]
  Without --prompt-model, a remote or local backend's task model proposes; the
  embedded model cannot write, so proposal is skipped and the search uses demo sets only.
  The same settings can go in a "prompt" section of --config, e.g.
  {"prompt": {"promptModel": "m", "promptBaseUrl": "http://...", "trials": 20}} (flags win).

Weights stage and backend: the options of \`mmgrpo train\`:
  --steps --examples-per-step --rollouts --concurrency --seed --val-every --grouping
  --fill --select-k --teachers --temperature --max-tokens --loss --lr --beta
  --iterations --init-from --warm-start-epochs --warm-start-lr --model-config
  --backend --inference-url --trainer-url --model --no-guided-choice --config
  (a warm start runs once, on the starting model, before the first stage)
  --strategy p with --backend remote needs only --inference-url and --model: prompt
  optimization calls the OpenAI-compatible server alone (no trainer, no --trainer-url)
  --backend local [--model smollm2|<file.gguf>]: a real pretrained model on the CPU
  (pull it first: mmgrpo models pull smollm2); prompts only (--strategy p)

Budgets (whole run; checked between trials and steps; 0 = no limit):
  --max-lm-calls <n>  --max-tokens-total <n>  --max-seconds <n>

Other:
  --dry-run                 print LM calls and tokens per stage, then exit
  --price-prompt <x>        with --dry-run: money per 1M prompt tokens
  --price-completion <x>    with --dry-run: money per 1M completion tokens
  --resume <run-id>         continue an interrupted run (finished stages are kept;
                            an unfinished p stage is redone, MMGRPO continues from its last step)
  --runs-dir <dir>          where runs are stored [.mmgrpo/runs]
  --json                    print run events as JSON lines on stdout
  -h, --help                this text`;

const OPTIONS = {
  ...TRAINING_OPTIONS,
  strategy: { type: 'string' }, trials: { type: 'string' }, minibatch: { type: 'string' }, 'full-eval-every': { type: 'string' },
  'max-demos': { type: 'string' }, 'demo-sets': { type: 'string' }, 'bootstrap-threshold': { type: 'string' },
  'prompt-model': { type: 'string' }, 'prompt-base-url': { type: 'string' }, 'instruction-candidates': { type: 'string' }, 'proposal-temperature': { type: 'string' },
} as const;

/** What run.json keeps (OptimizeRunConfig), with the prompt settings resolved. */
type SavedConfig = OptimizeRunConfig & { prompt: PromptStageSettings };

export async function optimizeCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('optimize', argv, OPTIONS);
  if (v.help) {
    process.stdout.write(OPTIMIZE_HELP + '\n');
    return EXIT.ok;
  }
  const runs = runsDirOption(v);
  const resumed = v.resume ? resumeTarget(runs, v.resume as string, 'optimize', 'optimize') : undefined;
  const resumeDir = resumed?.dir;
  if (!resumeDir && positionals.length !== 1) throw new UsageError('mmgrpo optimize: give one task file (e.g. `mmgrpo optimize examples/banking77/task.ts --strategy "p -> w"`) or --resume <run-id>.');
  const saved = resumed ? resumedConfig(savedRunConfig(resumed.manifest, OptimizeRunConfigSchema)) : savedFromFlags(v);
  // Prompt optimization alone only calls the inference server: a remote backend then needs no trainer.
  const needsTrainer = compositionNeedsTrainer(parseStrategy(saved.strategy), { warmStartEpochs: saved.warmStart.epochs, initFrom: saved.initFrom });
  const config = resolveOrUsage('optimize', resumeDir ? withBudgetFlags(saved.mmgrpo, v) : saved.mmgrpo, { needsTrainer });
  const taskFile = resumed ? resumed.manifest.taskFile : resolve(positionals[0]);
  const { task, file } = await loadTaskFile(taskFile);
  valsetOf(task, config.useTrainAsVal, USE_TRAIN_AS_VAL);
  if (v['dry-run']) return dryRun(v, saved, config, task);
  return execute(v, saved, config, { task, file, runs, resumeDir });
}

function savedFromFlags(v: Values): SavedConfig {
  const strategy = (v.strategy as string | undefined) ?? 'p -> w';
  try {
    parseStrategy(strategy);
  } catch (err) {
    if (err instanceof StrategyError) throw new UsageError(`mmgrpo optimize: --strategy: ${err.message}`);
    throw err;
  }
  const int = (flag: string, min = 0) => (v[flag] === undefined ? undefined : intOption('optimize', flag, v[flag], 0, min));
  const fromFlags: Partial<PromptStageSettings> = {
    trials: int('trials'), minibatchSize: int('minibatch', 1), fullEvalEvery: int('full-eval-every', 1), maxDemos: int('max-demos'), demoSets: int('demo-sets', 1),
    threshold: numberOption('optimize', 'bootstrap-threshold', v['bootstrap-threshold'], undefined, -Infinity),
    instructionCandidates: int('instruction-candidates'), proposalTemperature: numberOption('optimize', 'proposal-temperature', v['proposal-temperature'], undefined, 0, 2),
    promptModel: v['prompt-model'] as string | undefined, promptBaseUrl: v['prompt-base-url'] as string | undefined,
  };
  const file = readConfigSections('optimize', v.config as string | undefined);
  const prompt = promptSettingsOrUsage({ ...file.prompt, ...stripUndefined(fromFlags) });
  return {
    strategy, mmgrpo: configInputFromFlags('optimize', v, file.mmgrpo), prompt, guidedChoice: !v['no-guided-choice'], adapter: 'chat', initFrom: initFromFlag('optimize', v['init-from']),
    warmStart: warmStartFromFlags('optimize', v),
    embedded: embeddedFromFlags('optimize', v, intOption('optimize', 'seed', v.seed, 0)),
  };
}

/** Runs saved before instruction proposal existed get its defaults; settings are checked again either way. */
function resumedConfig(saved: OptimizeRunConfig): SavedConfig {
  return { ...saved, prompt: promptSettingsOrUsage(saved.prompt) };
}

function promptSettingsOrUsage(input: Partial<PromptStageSettings>): PromptStageSettings {
  try {
    return resolvePromptSettings(input);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`mmgrpo optimize: ${err.message}`);
    throw err;
  }
}

function dryRun(v: Values, saved: SavedConfig, config: MMGRPOConfig, task: Awaited<ReturnType<typeof loadTaskFile>>['task']): number {
  const prices = { promptPerMTok: numberOption('optimize', 'price-prompt', v['price-prompt'], undefined), completionPerMTok: numberOption('optimize', 'price-completion', v['price-completion'], undefined) };
  const plan = parseStrategy(saved.strategy);
  const rows = estimateCompositionCost({ plan, program: task.program, task, adapter: makeAdapter({ adapter: saved.adapter, guidedChoice: saved.guidedChoice, structuredOutputs: backendStructuredOutputs(config.backend.kind) }), config, prompt: saved.prompt, prices });
  process.stdout.write(`Estimated cost of "${plan.map((s) => s.kind).join(' -> ')}" on "${task.name}" (upper bounds; each module assumed to run once per program run; nothing was run):\n${formatEstimate(rows)}`);
  if (saved.warmStart.epochs > 0) process.stdout.write(`  plus a supervised warm start: ${saved.warmStart.epochs} epochs on the labeled module calls (no LM calls)\n`);
  return EXIT.ok;
}

interface Target {
  task: Awaited<ReturnType<typeof loadTaskFile>>['task'];
  file: string;
  runs: string;
  resumeDir?: string;
}

async function execute(v: Values, saved: SavedConfig, config: MMGRPOConfig, t: Target): Promise<number> {
  const printer = v.json ? jsonPrinter() : humanPrinter();
  return withCancelSignal(async (signal) => {
    const out = await runComposition({
      task: t.task, taskFile: t.file, workspace: process.cwd(), strategy: saved.strategy, config, prompt: saved.prompt, warmStart: saved.warmStart,
      guidedChoice: saved.guidedChoice, adapter: saved.adapter, runsDir: v['runs-dir'] ? t.runs : undefined, resumeDir: t.resumeDir, initFrom: saved.initFrom,
      embedded: saved.embedded, apiKey: lmConfigFromEnv(process.env).apiKey, promptApiKey: promptApiKeyFromEnv(process.env), signal, onEvent: (e) => printer.event(e),
    });
    printer.done();
    if (!v.json) process.stderr.write(finalReport(out));
    return out.status === 'completed' ? EXIT.ok : EXIT.cancelled;
  });
}

function finalReport(out: ComposeRunResult): string {
  const lines = ['', 'Val score after each stage'];
  for (const s of out.stages) lines.push(`  ${s.stage.padEnd(8)} ${formatScore(s.valScore).padStart(6)}${out.best?.stage === s.stage ? '  <- best' : ''}`);
  if (out.stages.length === 0) lines.push('  (no stage finished)');
  if (out.best) {
    lines.push('', `Best program: stage ${out.best.stage}, prompts ${out.best.promptVersion}${out.best.checkpointDir ? `, weights ${out.best.checkpointDir}` : ', the starting weights'}`);
    lines.push(`  write its prompts next to the task: mmgrpo apply ${out.runId}`);
  }
  lines.push('', `Run id: ${out.runId}${out.status === 'cancelled' ? `  (${out.reason}; resume with: mmgrpo optimize --resume ${out.runId})` : ''}`);
  return lines.join('\n') + '\n';
}

/** A budget-stopped run can be given more on resume; every other setting stays as saved. */
function withBudgetFlags(input: MMGRPOConfigInput, v: Values): MMGRPOConfigInput {
  const int = (flag: string) => (v[flag] === undefined ? undefined : intOption('optimize', flag, v[flag], 0));
  const b = { maxLMCalls: int('max-lm-calls'), maxTokens: int('max-tokens-total'), maxSeconds: numberOption('optimize', 'max-seconds', v['max-seconds'], undefined) };
  const budgets = { ...input.budgets };
  for (const [k, x] of Object.entries(b)) if (x !== undefined) (budgets as Record<string, number>)[k] = x;
  return { ...input, budgets };
}
