// Makes sure the real pretrained model the local-backend tests use (smollm2:
// SmolLM2-135M-Instruct Q4_1, 98 MB) is in the models cache folder
// ($MMGRPO_MODELS_DIR, else ~/.cache/mmgrpo-studio/models). Idempotent: a
// pulled model is only checked (size and marker), so later runs cost well under
// a second. Synchronous so the test command can run it as an in-process step.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODEL = 'smollm2';

function pullWith(root, command, args) {
  return spawnSync(command, [...args, 'models', 'pull', MODEL], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The CLI's own one-line error when it gave one, else the first line of a crash. */
function reason(r) {
  const lines = (r.stderr ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const own = lines.filter((l) => l.startsWith('mmgrpo: ')).at(-1);
  return (own ?? lines.find((l) => /Error\b/.test(l)) ?? lines.at(-1) ?? `exit code ${r.status}`).replace(/^mmgrpo: /, '');
}

export function ensureLocalModel(root) {
  const dist = join(root, 'dist', 'cli.js');
  // The test command builds first; run standalone without a build, the CLI runs from source.
  const r = existsSync(dist) ? pullWith(root, process.execPath, [dist]) : pullWith(root, 'npx', ['tsx', join(root, 'src', 'cli', 'main.ts')]);
  if (r.error) throw new Error(`Could not run the mmgrpo CLI to pull the local model ${MODEL}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`The local model ${MODEL} could not be pulled (mmgrpo models pull ${MODEL}): ${reason(r)}`);
  }
  const file = /^ {2}file {2}(.+) \(([\d.]+ [kM]B)\)$/m.exec(r.stdout);
  const how = r.stdout.includes('already pulled') ? 'already pulled' : 'pulled now';
  console.error(`Local model ${MODEL}: ${file ? `${file[1]} (${file[2]}, ${how})` : r.stdout.trim()}`);
  return file ? file[1] : undefined;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  try {
    ensureLocalModel(join(dirname(fileURLToPath(import.meta.url)), '..'));
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
