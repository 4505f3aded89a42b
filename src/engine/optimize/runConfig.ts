import { z } from 'zod/v4';
import type { RunManifest } from '../../protocol/events';
import { RunStoreError } from '../runs/paths';
import { firstIssue, MMGRPOConfigInputSchema } from './mmgrpo/configSchema';
import { PromptStageSettingsSchema } from './compose/settings';

// What train and optimize runs keep in run.json's `config`, so a resume runs
// with the same settings: written by the run, read back (checked, typed) by
// `--resume`.

export const WarmStartSettingsSchema = z.object({
  epochs: z.number().int().min(0).describe('Passes over the labeled module calls (0 = no warm start).'),
  learningRate: z.number().gt(0),
  batchSize: z.number().int().min(1),
});

const EmbeddedFlagsSchema = z.object({
  backendModule: z.string().optional(),
  backendExport: z.string().optional(),
  backendOptions: z.record(z.string(), z.unknown()).optional(),
});

export const TrainRunConfigSchema = z.object({
  mmgrpo: MMGRPOConfigInputSchema,
  warmStart: WarmStartSettingsSchema,
  guidedChoice: z.boolean(),
  adapter: z.enum(['chat', 'json']),
  initFrom: z.string().optional(),
  /** A backend factory override given at start (tests); resumes use the same. */
  embedded: EmbeddedFlagsSchema.optional(),
});

export const OptimizeRunConfigSchema = TrainRunConfigSchema.extend({
  strategy: z.string(),
  /** Runs saved before instruction proposal existed lack its settings: resolvePromptSettings fills them in. */
  prompt: PromptStageSettingsSchema.partial(),
});

export type EmbeddedFlags = z.infer<typeof EmbeddedFlagsSchema>;
export type TrainRunConfig = z.infer<typeof TrainRunConfigSchema>;
export type OptimizeRunConfig = z.infer<typeof OptimizeRunConfigSchema>;

/** A run's saved settings, typed; a run.json this engine cannot resume says why. */
export function savedRunConfig<S extends typeof TrainRunConfigSchema | typeof OptimizeRunConfigSchema>(manifest: RunManifest, schema: S): z.infer<S> {
  const parsed = schema.safeParse(manifest.config);
  if (!parsed.success) {
    const at = parsed.error.issues[0]?.path.join('.') || 'config';
    throw new RunStoreError(`Run ${manifest.id} cannot be resumed: config.${at} in its run.json does not fit this engine's settings (${firstIssue(parsed.error)}); start a new run.`);
  }
  return parsed.data as z.infer<S>;
}
