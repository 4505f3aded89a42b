// A fresh copy of the bundled example as the workspace the end-to-end suite
// opens: the Banking77 task shrunk (24 train / 12 val examples) and, through
// the mmgrpo.taskOverrides setting, sized so a "p -> w" run on the embedded
// model takes well under a minute on two cores. Also a task file with a
// syntax error, for the "no false lenses" scenario.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TRAIN_EXAMPLES = 24;
export const VAL_EXAMPLES = 12;

/** CLI flags of every Train/Optimize run in the e2e workspace. */
export function smallRunArgs(promptBaseUrl) {
  const args = [
    '--steps', '4', '--examples-per-step', '2', '--rollouts', '4', '--val-every', '2', '--concurrency', '8', '--max-tokens', '40', '--seed', '3',
    '--trials', '3', '--minibatch', '4', '--full-eval-every', '2', '--max-demos', '1', '--demo-sets', '2', '--bootstrap-threshold', '0.5',
    '--warm-start-epochs', '0', '--lr', '0.001',
    '--model-config', JSON.stringify({ contextLength: 160, maxPromptTokens: 112, dModel: 64, nLayer: 2, nHead: 4 }),
  ];
  // A scripted prompt model writes candidate instructions, so the run has an
  // instruction change to diff and apply (the embedded model cannot write).
  if (promptBaseUrl) args.push('--prompt-model', 'e2e-prompt-model', '--prompt-base-url', promptBaseUrl, '--instruction-candidates', '2');
  return args;
}

/** The first n rows of one of the example's JSON data files, written as the example writes them. */
function head(file, n) {
  const rows = JSON.parse(readFileSync(file, 'utf8')).slice(0, n);
  return `[\n${rows.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`;
}

/** Writes the workspace into `dir` (which must exist and be empty). */
export function prepareWorkspace(root, dir, { promptBaseUrl } = {}) {
  const example = join(root, 'examples', 'banking77');
  for (const f of ['task.ts', 'program.ts', 'labels.ts']) cpSync(join(example, f), join(dir, f));
  mkdirSync(join(dir, 'data'));
  cpSync(join(example, 'data', 'LICENSE'), join(dir, 'data', 'LICENSE'));
  cpSync(join(example, 'data', 'subset.json'), join(dir, 'data', 'subset.json'));
  writeFileSync(join(dir, 'data', 'train.json'), head(join(example, 'data', 'train.json'), TRAIN_EXAMPLES));
  writeFileSync(join(dir, 'data', 'val.json'), head(join(example, 'data', 'val.json'), VAL_EXAMPLES));
  mkdirSync(join(dir, 'broken'));
  writeFileSync(
    join(dir, 'broken', 'task.ts'),
    [
      "import { defineTask, Module, Predict } from 'mmgrpo';",
      '',
      'export class Half extends Module {',
      "  step = new Predict('question -> answer');",
      '  async forward(input: { question: string }) {',
      '    return this.step.forward(input)',
      '  }',
      '',
      '// the closing brace of the class is missing, and so is a parenthesis:',
      "export default defineTask({ name: 'broken', program: new Half(), trainset: [], metric: () => 1 ;",
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, '.vscode'));
  const settings = {
    'mmgrpo.taskOverrides': { 'task.ts': { args: smallRunArgs(promptBaseUrl) } },
    // Keep the workbench quiet and deterministic for screenshots.
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'git.enabled': false,
    'security.workspace.trust.startupPrompt': 'always',
    ...(process.env.MMGRPO_E2E_TSLOG ? { 'typescript.tsserver.log': 'verbose' } : {}),
  };
  writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  return dir;
}
