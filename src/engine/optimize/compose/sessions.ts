import { join } from 'node:path';
import type { Module } from '../../program/module';
import type { Adapter } from '../../adapters';
import { storePath, type RunWriter } from '../../runs';
import type { Task } from '../../tasks/types';
import type { MMGRPOConfig } from '../mmgrpo/config';
import { openSession, type EmbeddedLaunch, type OpenedSession, type SessionOptions } from '../mmgrpo/openSession';
import { runWarmStart, WARM_START_STAGE, type WarmStartSettings } from '../mmgrpo/warmStart';
import type { OpenedInference } from './remoteInference';

export type SessionOpener = (o: SessionOptions) => Promise<OpenedSession>;

export interface SessionHolderOptions {
  config: MMGRPOConfig;
  runId: string;
  workspace: string;
  writer: RunWriter;
  embedded?: Partial<EmbeddedLaunch>;
  apiKey?: string;
  /** Tests swap in a scripted session. */
  open?: SessionOpener;
  /**
   * Set when nothing in the run trains and the backend is remote: p stages
   * use this inference client alone and no trainer session is ever opened.
   * The holder closes it.
   */
  inferenceOnly?: OpenedInference;
  /** Supervised warm start, run once when the run's starting model is first opened. */
  warmStart?: { settings: WarmStartSettings; program: Module; task: Task; adapter: Adapter };
}

/** Marks a session whose weights were moved by training since it opened. */
const MOVED = Symbol('moved');

/**
 * One inference + trainer session at a time, on the weights the next stage
 * needs: a p stage after w must see the best trained weights, not the last
 * step's, so the holder reopens the backend from that checkpoint.
 */
export class SessionHolder {
  private opened?: OpenedSession;
  private on: string | undefined | typeof MOVED;
  /** The base model the first session reported (recorded in result.json). */
  baseModel?: string;

  constructor(private readonly o: SessionHolderOptions) {
    this.baseModel = o.inferenceOnly?.baseModel;
  }

  /**
   * A session serving `weights` (a checkpoint folder; undefined = the run's
   * starting model). `startWeights` tells whether warm start may run.
   */
  async serving(weights: string | undefined, startWeights: boolean, resumeTraining = false): Promise<{ opened: OpenedSession; weights: string | undefined }> {
    if (this.o.inferenceOnly) throw new Error('This run was planned without a trainer (no w stage, warm start or --init-from), so it cannot train.');
    if (this.opened && this.on === weights) return { opened: this.opened, weights };
    await this.close();
    const warm = startWeights && this.o.warmStart && this.o.warmStart.settings.epochs > 0 ? this.o.warmStart : undefined;
    const c = this.o.config;
    this.opened = await (this.o.open ?? openSession)({
      config: c,
      runName: this.o.runId,
      embedded: { modelDir: storePath(this.o.workspace, 'models', this.o.runId), backendOptions: { seed: c.seed }, ...this.o.embedded },
      initFrom: weights,
      resumeTraining,
      apiKey: this.o.apiKey,
      onWarning: (message) => this.o.writer.append({ type: 'log', level: 'warn', message }),
      beforeInitialize: warm
        ? async (trainer, model) => void (await runWarmStart({ ...warm, trainer, model, writer: this.o.writer, settings: warm.settings, seed: c.seed }))
        : undefined,
    });
    this.baseModel ??= this.opened.baseModel;
    this.on = weights;
    if (!warm) return { opened: this.opened, weights };
    // Keep the warm-started weights: a later stage or a resume must start from them, not redo the warm start.
    const saved = await this.saveCheckpoint(`${WARM_START_STAGE}-weights`, WARM_START_STAGE);
    this.on = saved;
    return { opened: this.opened, weights: saved };
  }

  /**
   * Inference on `weights`, for a p stage: through the training session when
   * the run has one (the embedded server, or a run that also trains), else
   * from the remote inference server alone.
   */
  async inference(weights: string | undefined, startWeights: boolean): Promise<{ opened: OpenedInference; weights: string | undefined }> {
    if (!this.o.inferenceOnly) {
      const served = await this.serving(weights, startWeights);
      const s = served.opened;
      // A view of the holder's session: the holder, not the stage, closes it.
      return { opened: { lm: s.session.lm, baseModel: s.baseModel, usage: s.usage, close: async () => undefined }, weights: served.weights };
    }
    // Without a trainer the server serves --model as it is; other weights would need the trainer to load them.
    if (weights !== undefined) throw new Error(`Weights ${weights} can only be loaded by a trainer; give --trainer-url to serve them.`);
    return { opened: this.o.inferenceOnly, weights: undefined };
  }

  /** Training moved the session's weights to this checkpoint (the last step's). */
  moved(to: string | undefined): void {
    this.on = to ?? MOVED;
  }

  private async saveCheckpoint(name: string, stage: string): Promise<string | undefined> {
    const s = this.opened!.session;
    const status = await s.trainer.checkpoint({ job_id: s.jobId, checkpoint_name: name, metadata: { stage } });
    const dir = status.checkpoints[name]?.checkpoint_dir;
    this.o.writer.append({ type: 'checkpoint_saved', stage, step: 0, name, dir, best: false });
    return dir;
  }

  async close(): Promise<void> {
    const o = this.opened;
    this.opened = undefined;
    this.on = undefined;
    await o?.close().catch(() => undefined);
    await this.o.inferenceOnly?.close().catch(() => undefined);
  }
}
