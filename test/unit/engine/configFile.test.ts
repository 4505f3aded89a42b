import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CONFIG_FILE_PATTERNS, CONFIG_SCHEMA_PATH, configJsonSchema } from '../../../src/engine/optimize/configFile';
import { ConfigError, MMGRPO_DEFAULTS, resolveMMGRPOConfig } from '../../../src/engine/optimize/mmgrpo/config';
import { resolvePromptSettings } from '../../../src/engine/optimize/compose/settings';
import { readConfigSections } from '../../../src/cli/trainingFlags';

const root = resolve(__dirname, '..', '..', '..');
type Node = { properties?: Record<string, Node>; default?: unknown; enum?: unknown[]; minimum?: number; exclusiveMinimum?: number; maximum?: number; type?: string };

describe('config files: one zod schema -> types, runtime checks, JSON Schema (issue 17 item 16)', () => {
  const schema = configJsonSchema() as Node;

  it('the committed JSON Schema is the one the zod schemas generate (regenerate: see CONFIG_SCHEMA_PATH)', () => {
    const committed = JSON.parse(readFileSync(join(root, CONFIG_SCHEMA_PATH), 'utf8'));
    assert.deepEqual(committed, configJsonSchema(), `${CONFIG_SCHEMA_PATH} is stale: write JSON.stringify(configJsonSchema(), null, 2) to it`);
  });

  it('package.json registers it through contributes.jsonValidation for the config file names', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: [...CONFIG_FILE_PATTERNS], url: `./${CONFIG_SCHEMA_PATH}` }]);
  });

  it('its settings are exactly the ones the runtime accepts, with the runtime\'s defaults', () => {
    const props = schema.properties!;
    const { $schema: _s, prompt, ...mmgrpo } = props;
    assert.deepEqual(Object.keys(mmgrpo), Object.keys(MMGRPO_DEFAULTS));
    for (const section of ['trainer', 'backend', 'budgets'] as const) {
      const known = Object.keys(mmgrpo[section].properties!);
      for (const key of known) resolveMMGRPOConfig({ [section]: { [key]: (MMGRPO_DEFAULTS[section] as Record<string, unknown>)[key] } }, { needsTrainer: false });
      assert.throws(() => resolveMMGRPOConfig({ [section]: { bogus: 1 } }), /Unknown setting "[a-z]+\.bogus"/);
    }
    assert.equal(mmgrpo.steps.default, MMGRPO_DEFAULTS.steps);
    assert.equal(mmgrpo.trainer.properties!.lossType.default, 'dapo');
    assert.deepEqual(mmgrpo.trainer.properties!.lossType.enum, ['grpo', 'bnpo', 'dr_grpo', 'dapo']);
    assert.equal(prompt.properties!.trials.default, resolvePromptSettings({}).trials);
  });

  it('bounds in the JSON Schema are the runtime\'s bounds (same source)', () => {
    const p = schema.properties!;
    assert.equal(p.rolloutsPerExample.minimum, 2);
    assert.throws(() => resolveMMGRPOConfig({ rolloutsPerExample: 1 }), /rolloutsPerExample must be at least 2 \(got 1\)/);
    assert.equal(p.temperature.exclusiveMinimum, 0);
    assert.equal(p.temperature.maximum, 5);
    assert.throws(() => resolveMMGRPOConfig({ temperature: 6 }), /temperature must be a number in \[5e-324, 5\] \(got 6\)\./);
    assert.equal(p.trainer.properties!.numIterations.minimum, 1);
    assert.throws(() => resolveMMGRPOConfig({ trainer: { numIterations: 0 } }), /trainer\.numIterations must be a whole number >= 1 \(got 0\)\./);
  });

  it('keeps today\'s messages for wrong types too (a string where a number goes, a bad enum, a non-object section)', () => {
    assert.throws(() => resolveMMGRPOConfig({ steps: '10' as unknown as number }), (e: unknown) => e instanceof ConfigError && e.message === 'steps must be a whole number >= 0 (got "10").');
    assert.throws(() => resolveMMGRPOConfig({ trainer: { lossType: 'ppo' as never } }), /trainer\.lossType "ppo" is unknown; use one of grpo, bnpo, dr_grpo, dapo\./);
    assert.throws(() => resolvePromptSettings({ trials: -1 }), /Prompt stage setting trials must be a whole number >= 0 \(got -1\)\./);
  });

  it('B59 a --config setting of the wrong type (useTrainAsVal: "yes", trainer: 3)', () => {
    assert.throws(() => resolveMMGRPOConfig({ useTrainAsVal: 'yes' as never }), (e: unknown) => e instanceof ConfigError && e.message === 'useTrainAsVal must be true or false (got "yes").');
    assert.throws(() => resolveMMGRPOConfig({ trainer: 3 as never }), (e: unknown) => e instanceof ConfigError && e.message === 'trainer must be an object of settings (got 3).');
  });

  describe('the CLI reads such files', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'config-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('allows "$schema" (editors use it) and drops it before the settings are checked', () => {
      const file = join(dir, 'small.mmgrpo.json');
      writeFileSync(file, JSON.stringify({ $schema: `../${CONFIG_SCHEMA_PATH}`, steps: 3, prompt: { trials: 2 } }));
      const sections = readConfigSections('optimize', file);
      assert.deepEqual(sections, { mmgrpo: { steps: 3 }, prompt: { trials: 2 } });
      assert.equal(resolveMMGRPOConfig(sections.mmgrpo).steps, 3);
    });
  });
});
