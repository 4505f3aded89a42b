import { rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { startEmbeddedProcess, type EmbeddedProcess } from '../../backends/embeddedProcess';
import type { UsageTotals } from '../../lm/usage';
import { createLM } from '../../lm';
import { preflightLM, type PreflightHints } from '../../lm/preflight';
import { LMError } from '../../lm/types';
import { ArborTrainerClient, checkTrainer } from '../../trainer';
import type { MMGRPOConfig } from './config';
import { initializeRequest } from './initRequest';
import type { TrainingSession } from './session';

/** How to start the embedded model server (tests swap in a deterministic fake model). */
export interface EmbeddedLaunch {
  modelDir: string;
  backendModule?: string;
  backendExport?: string;
  /** Factory options: model size, seed... */
  backendOptions?: Record<string, unknown>;
  onLog?: (line: string) => void;
}

export interface SessionOptions {
  config: MMGRPOConfig;
  runName: string;
  embedded: EmbeddedLaunch;
  /** Start the embedded model from these weights (resume, or a stage's starting weights). */
  initFrom?: string;
  /** initFrom is this run's own last checkpoint: continue its optimizer state too (embedded). */
  resumeTraining?: boolean;
  /** Remote API key (from the environment; never stored). */
  apiKey?: string;
  /** Called once the trainer answers but before the GRPO job starts (warm start goes here). */
  beforeInitialize?: (trainer: ArborTrainerClient, baseModel: string) => Promise<void>;
  onWarning?: (message: string) => void;
}

export interface OpenedSession {
  session: TrainingSession;
  baseModel: string;
  /** LM calls and tokens spent through this session's inference client. */
  usage: () => UsageTotals;
  close(): Promise<void>;
}

const MAX_SEQ_LEN = 4096;

/**
 * Connects to inference and trainer, checks both answer and accept the
 * config before any rollout, and initializes the GRPO job.
 */
export async function openSession(o: SessionOptions): Promise<OpenedSession> {
  let proc: EmbeddedProcess | undefined;
  try {
    const endpoints = await endpointsFor(o, (p) => (proc = p));
    const trainer = new ArborTrainerClient({ baseUrl: endpoints.trainerUrl, token: endpoints.token, onWarning: o.onWarning });
    // A remote resume starts the trainer from the last checkpoint folder (a path on the trainer machine).
    const remoteResume = o.config.backend.kind === 'remote' ? o.initFrom : undefined;
    const baseModel = remoteResume ?? endpoints.model ?? (await trainer.models())[0];
    if (!baseModel) throw new Error(`The trainer at ${endpoints.trainerUrl} lists no model to train.`);
    const request = initializeRequest(o.config, baseModel, o.runName, MAX_SEQ_LEN);
    const check = await checkTrainer(trainer, request);
    check.warnings.forEach((w) => o.onWarning?.(w));
    await o.beforeInitialize?.(trainer, baseModel);
    const status = await trainer.initialize(request);
    const lm = createLM({ baseUrl: endpoints.inferenceUrl, model: status.current_model, apiKey: endpoints.token, maxConcurrency: o.config.concurrency });
    const session: TrainingSession = { lm, trainer, jobId: status.job_id, model: status.current_model, capabilities: check.capabilities };
    if (proc) {
      session.discardCheckpoint = (dir) => discardLocal(dir, o.embedded.modelDir);
      session.discardTrainingState = (dir) => discardLocal(dir, o.embedded.modelDir, TRAINING_STATE_FILES);
    }
    return { session, baseModel, usage: () => lm.usage.snapshot(), close: () => closeSession(trainer, status.job_id, proc) };
  } catch (err) {
    await (proc as EmbeddedProcess | undefined)?.stop();
    throw err;
  }
}

interface Endpoints {
  inferenceUrl: string;
  trainerUrl: string;
  token?: string;
  model?: string;
}

async function endpointsFor(o: SessionOptions, started: (p: EmbeddedProcess) => void): Promise<Endpoints> {
  const b = o.config.backend;
  if (b.kind === 'remote') {
    await preflightRemoteBackend(b, o.apiKey);
    return { inferenceUrl: b.inferenceUrl!, trainerUrl: b.trainerUrl!, token: o.apiKey, model: b.model };
  }
  const e = o.embedded;
  const proc = await startEmbeddedProcess({
    modelDir: e.modelDir,
    initFrom: o.initFrom,
    resumeTraining: o.resumeTraining,
    backendModule: e.backendModule,
    backendExport: e.backendExport,
    extraArgs: e.backendOptions ? ['--backend-options', JSON.stringify(e.backendOptions)] : [],
    onLog: e.onLog,
  });
  started(proc);
  return { inferenceUrl: proc.baseUrl, trainerUrl: proc.baseUrl, token: proc.token };
}

/** The eval's --base-url/MMGRPO_BASE_URL and MMGRPO_MODEL do not set a backend; the wrapper names what does. */
const REMOTE_BACKEND_HINTS: PreflightHints = { baseUrl: '', model: '', apiKey: ' Check MMGRPO_API_KEY.' };

/**
 * One GET /models on a remote backend's inference server, so a wrong URL, key
 * or model name fails before any program runs or any job starts.
 */
export async function preflightRemoteBackend(b: { inferenceUrl?: string; model?: string }, apiKey: string | undefined): Promise<void> {
  try {
    await preflightLM({ baseUrl: b.inferenceUrl!, model: b.model!, apiKey, timeoutMs: 15_000 }, fetch, REMOTE_BACKEND_HINTS);
  } catch (err) {
    if (!(err instanceof LMError)) throw err;
    throw new LMError(err.kind, `Inference server of the remote backend: ${err.message} Check --inference-url and --model (backend.inferenceUrl/backend.model in --config); the key comes from MMGRPO_API_KEY, else OPENAI_API_KEY.`, err.status);
  }
}

/** What a checkpoint holds only for resuming from it (see src/embedded/checkpoint.ts). */
const TRAINING_STATE_FILES = ['training.json', 'training.bin'];

/** Removes a checkpoint folder (or only `files` in it), but only inside the run's own model folder. */
async function discardLocal(dir: string, modelDir: string, files?: string[]): Promise<void> {
  const inside = relative(resolve(modelDir), resolve(dir));
  if (!inside || inside.startsWith('..') || isAbsolute(inside)) return;
  if (!files) return rm(dir, { recursive: true, force: true });
  // The manifest first: a checkpoint without training.json simply has no training state.
  for (const f of files) await rm(join(dir, f), { force: true });
}

async function closeSession(trainer: ArborTrainerClient, jobId: string, proc?: EmbeddedProcess): Promise<void> {
  try {
    if (!proc) await trainer.terminate(jobId); // a remote trainer keeps its final checkpoint
  } finally {
    await proc?.stop();
  }
}
