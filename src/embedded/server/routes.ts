import type { EmbeddedBackend } from '../backend';
import type { ModelListResponse } from '../../protocol/trainer';
import type { Exchange } from './exchange';
import { serverCapabilities, type GrpoJobs } from './grpoJobs';
import { parseCheckpoint, parseInitialize, parseJobRequest, parseStep } from './grpoRequests';
import { badRequest } from './httpError';
import { chatRoute, completionRoute } from './inference';
import { parseSft } from './sftRequests';

export interface RouteContext {
  backend: EmbeddedBackend;
  jobs: GrpoJobs;
  now: () => Date;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Resolves to the JSON body to send, or to ANSWERED when the route wrote the response itself. */
  handle: (ctx: RouteContext, body: unknown, ex: Exchange) => Promise<unknown>;
}

async function models(ctx: RouteContext): Promise<ModelListResponse> {
  const created = Math.floor(ctx.now().getTime() / 1000);
  return {
    object: 'list',
    data: ctx.jobs.servedModels().map((id) => ({ id, object: 'model', created, owned_by: 'mmgrpo-embedded' })),
  };
}

type TrainingHandler = (ctx: RouteContext, body: unknown) => unknown;

/**
 * Weight updates need a backend that can train. A 400, not a 5xx: the engine's
 * trainer client retries 5xx answers, and asking again cannot help.
 */
function training(handle: TrainingHandler): Route {
  return {
    method: 'POST',
    handle: async (ctx, body) => {
      if (ctx.backend.features?.training === false) {
        throw badRequest(
          `This server serves inference only: its model backend (${ctx.backend.modelName}) cannot train weights. ` +
            'GRPO and SFT need the embedded tiny backend (`mmgrpo serve` without a local model) or a remote Arbor trainer.',
        );
      }
      return handle(ctx, body);
    },
  };
}

/** Paths are relative to /v1, without leading or trailing slashes. */
export const ROUTES: Record<string, Route> = {
  'chat/completions': { method: 'POST', handle: chatRoute },
  completions: { method: 'POST', handle: completionRoute },
  models: { method: 'GET', handle: (ctx) => models(ctx) },
  capabilities: { method: 'GET', handle: async (ctx) => serverCapabilities(ctx.backend.features) },
  'fine_tuning/grpo/initialize': training((ctx, b) => ctx.jobs.initialize(parseInitialize(b))),
  'fine_tuning/grpo/status': training((ctx, b) => ctx.jobs.status(parseJobRequest(b))),
  'fine_tuning/grpo/step': training((ctx, b) => ctx.jobs.step(parseStep(b, (id) => ctx.jobs.numGenerations(id)))),
  'fine_tuning/grpo/checkpoint': training((ctx, b) => ctx.jobs.checkpoint(parseCheckpoint(b))),
  'fine_tuning/grpo/cancel': training((ctx, b) => ctx.jobs.cancel(parseJobRequest(b))),
  'fine_tuning/sft': training((ctx, b) => ctx.jobs.sft(parseSft(b))),
  'fine_tuning/grpo/terminate': training((ctx, b) => ctx.jobs.terminate(parseJobRequest(b))),
};

/** `/v1//fine_tuning/grpo/step/?x=1` -> `fine_tuning/grpo/step`; undefined outside /v1. */
export function routeKey(url: string | undefined): string | undefined {
  const pathname = (url ?? '/').split('?')[0].replace(/\/+/g, '/');
  const m = /^\/v1(?:\/(.*?))?\/?$/.exec(pathname);
  return m ? (m[1] ?? '') : undefined;
}
