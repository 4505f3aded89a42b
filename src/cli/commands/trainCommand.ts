import { resolve } from 'node:path';
import { lmConfigFromEnv } from '../../engine/lm';
import { backendStructuredOutputs } from '../../engine/optimize/mmgrpo/config';
import { savedRunConfig, TrainRunConfigSchema } from '../../engine/optimize/runConfig';
import { runTraining } from '../../engine/optimize/mmgrpo/trainRun';
import { estimateTrainingCost, formatEstimate } from '../../engine/optimize/mmgrpo/costEstimate';
import { makeAdapter } from '../../engine/adapters';
import { isProcessAlive, readRun } from '../../engine/runs';
import { loadTaskFile } from '../../engine/tasks/loadTask';
import { numberOption, parseCommandArgs } from '../args';
import { configInputFromFlags, embeddedFromFlags, initFromFlag, resolveOrUsage, resumeTarget, TRAINING_OPTIONS, warmStartFromFlags } from '../trainingFlags';
import { EXIT, UsageError } from '../errors';
import { humanPrinter, jsonPrinter } from '../progress';
import { trainReport } from '../trainReport';
import { runsDirOption } from '../runLookup';
import { USE_TRAIN_AS_VAL, valsetOf } from '../../engine/tasks/valset';
import { withCancelSignal } from '../cancel';

export const TRAIN_HELP = `Usage: mmgrpo train <task-file> [options]
       mmgrpo train --resume <run-id> [--json]

Train the program's weights with MMGRPO (multi-module GRPO). By default the
embedded CPU model is started and trained; a supervised warm start on labeled
module calls runs first only when asked (--warm-start-epochs n; off by
default). Runs are recorded in .mmgrpo/runs/ and resumable.

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
  --backend <kind>          embedded | remote [embedded] (local serves inference only:
                            use it with eval and optimize --strategy p)
  --inference-url <url>     OpenAI-compatible server (remote)
  --trainer-url <url>       Arbor-compatible trainer (remote)
  --model <name>            model to train (remote)
  --no-guided-choice        never send guided_choice (a server that rejects the field, e.g.
                            OpenAI, is detected on its first 400; the flag is not needed)
  --max-lm-calls <n>        stop cleanly after n LM calls [0 = no limit]
  --max-tokens-total <n>    stop cleanly after n tokens [0 = no limit]
  --max-seconds <n>         stop cleanly after n seconds [0 = no limit]
  --config <file.json>      MMGRPO settings (flags win); the editor checks files named
                            *.mmgrpo.json or mmgrpo.config.json against their JSON Schema
  --dry-run                 print the LM calls and tokens each stage will use, then exit
  --price-prompt <x>        with --dry-run: money per 1M prompt tokens
  --price-completion <x>    with --dry-run: money per 1M completion tokens
  --resume <run-id>         continue an interrupted run from its last completed step
  --runs-dir <dir>          where runs are stored [.mmgrpo/runs]
  --json                    print run events as JSON lines on stdout
  -h, --help                this text`;

const OPTIONS = TRAINING_OPTIONS;

export async function trainCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommandArgs('train', argv, OPTIONS);
  if (v.help) {
    process.stdout.write(TRAIN_HELP + '\n');
    return EXIT.ok;
  }
  const runs = runsDirOption(v);
  const resumed = v.resume ? resumeTarget(runs, v.resume as string, 'train', 'train') : undefined;
  const resumeDir = resumed?.dir;
  if (!resumeDir && positionals.length !== 1) throw new UsageError('mmgrpo train: give one task file (e.g. `mmgrpo train examples/banking77/task.ts`) or --resume <run-id>.');
  const saved = resumed ? savedRunConfig(resumed.manifest, TrainRunConfigSchema) : undefined;
  const taskFile = resumed ? resumed.manifest.taskFile : resolve(positionals[0]);
  const config = resolveOrUsage('train', saved ? saved.mmgrpo : configInputFromFlags('train', v));
  const warmStart = saved?.warmStart ?? warmStartFromFlags('train', v);
  const { task, file } = await loadTaskFile(taskFile);
  valsetOf(task, config.useTrainAsVal, USE_TRAIN_AS_VAL);
  if (v['dry-run']) {
    const rows = estimateTrainingCost({ program: task.program, task, adapter: makeAdapter({ adapter: 'chat', guidedChoice: !v['no-guided-choice'], structuredOutputs: backendStructuredOutputs(config.backend.kind) }), config, prices: { promptPerMTok: numberOption('train', 'price-prompt', v['price-prompt'], undefined), completionPerMTok: numberOption('train', 'price-completion', v['price-completion'], undefined) } });
    process.stdout.write(`Estimated cost of training "${task.name}" (each module assumed to run once per rollout; nothing was run):\n${formatEstimate(rows)}`);
    if (warmStart.epochs > 0) process.stdout.write(`  plus a supervised warm start: ${warmStart.epochs} epochs on the labeled module calls (no LM calls)\n`);
    return EXIT.ok;
  }
  const printer = v.json ? jsonPrinter() : humanPrinter();
  return withCancelSignal(async (signal) => {
    const out = await runTraining({
      task, taskFile: file, workspace: process.cwd(), config, warmStart,
      guidedChoice: saved?.guidedChoice ?? !v['no-guided-choice'], adapter: saved?.adapter ?? 'chat',
      runsDir: v['runs-dir'] ? runs : undefined, resumeDir, initFrom: saved ? saved.initFrom : initFromFlag('train', v['init-from']), apiKey: lmConfigFromEnv(process.env).apiKey, signal,
      embedded: saved?.embedded ?? embeddedFromFlags('train', v, config.seed),
      onEvent: (e) => printer.event(e),
    });
    printer.done();
    if (!v.json) {
      process.stderr.write(trainReport(readRun(out.dir, isProcessAlive).events, out.summary));
      if (out.bestCheckpointDir) process.stderr.write(`\nBest weights (step ${out.summary['val/best_step']}): ${out.bestCheckpointDir}\n  evaluate them: mmgrpo eval ${file} --checkpoint ${out.bestCheckpointDir}\n`);
      process.stderr.write(`\nRun id: ${out.runId}${out.status === 'cancelled' ? `  (resume with: mmgrpo train --resume ${out.runId})` : ''}\n`);
    }
    return out.status === 'completed' ? EXIT.ok : EXIT.cancelled;
  });
}
