import { z } from 'zod/v4';
import { MMGRPO_DEFAULTS } from './mmgrpo/config';
import { MMGRPOConfigInputSchema } from './mmgrpo/configSchema';
import { PROMPT_STAGE_DEFAULTS, PromptStageSettingsSchema } from './compose/settings';

/**
 * File names the editor validates against the schema (package.json
 * contributes.jsonValidation); `--config` takes any file, and any file that
 * names the schema in "$schema" is validated too.
 */
export const CONFIG_FILE_PATTERNS = ['mmgrpo.config.json', '*.mmgrpo.json'] as const;

/** Where the committed JSON Schema lives, relative to the package root (test/unit/engine/configFile.test.ts keeps it in step). */
export const CONFIG_SCHEMA_PATH = 'schemas/mmgrpo-config.schema.json';

/** A --config file: MMGRPO settings, a `prompt` section that only `optimize` reads, and an optional "$schema". */
export const ConfigFileSchema = MMGRPOConfigInputSchema.extend({
  $schema: z.string().describe('The JSON Schema of this file, for editors (ignored by mmgrpo).').optional(),
  prompt: PromptStageSettingsSchema.partial().describe('Prompt-optimization (p) stage settings; only `mmgrpo optimize` reads them (flags win).').optional(),
}).strict();

/** The JSON Schema of --config files, with every default from the engine's defaults. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigFileSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  const { prompt, ...mmgrpo } = { ...(MMGRPO_DEFAULTS as unknown as Record<string, unknown>), prompt: PROMPT_STAGE_DEFAULTS };
  addDefaults(schema, { ...mmgrpo, prompt });
  return {
    $schema: schema.$schema,
    title: 'mmgrpo --config file',
    description: 'Settings for `mmgrpo train --config` and `mmgrpo optimize --config` (command-line flags win over the file).',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

function addDefaults(node: Record<string, unknown>, defaults: Record<string, unknown>): void {
  const properties = node.properties as Record<string, Record<string, unknown>> | undefined;
  if (!properties) return;
  for (const [key, value] of Object.entries(defaults)) {
    const prop = properties[key];
    if (!prop || value === undefined) continue;
    if (value && typeof value === 'object' && !Array.isArray(value)) addDefaults(prop, value as Record<string, unknown>);
    else prop.default = value;
  }
}
