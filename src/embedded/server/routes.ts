import type { EmbeddedBackend } from '../backend';
import type { ModelListResponse } from '../../protocol/trainer';
import { formatChat, parseChat, requireServedModel } from './chatCompletions';
import { SERVER_CAPABILITIES, type GrpoJobs } from './grpoJobs';
import { parseCheckpoint, parseInitialize, parseJobRequest, parseStep } from './grpoRequests';
import { parseSft } from './sftRequests';

export interface RouteContext {
  backend: EmbeddedBackend;
  jobs: GrpoJobs;
  now: () => Date;
}

export interface Route {
  method: 'GET' | 'POST';
  handle: (ctx: RouteContext, body: unknown) => Promise<unknown>;
}

async function chat(ctx: RouteContext, body: unknown): Promise<unknown> {
  const { model, request } = parseChat(body);
  requireServedModel(model, ctx.jobs.servedModels());
  const result = await ctx.backend.generate(request);
  return formatChat(model, request, result, ctx.now().getTime());
}

async function models(ctx: RouteContext): Promise<ModelListResponse> {
  const created = Math.floor(ctx.now().getTime() / 1000);
  return {
    object: 'list',
    data: ctx.jobs.servedModels().map((id) => ({ id, object: 'model', created, owned_by: 'mmgrpo-embedded' })),
  };
}

/** Paths are relative to /v1, without leading or trailing slashes. */
export const ROUTES: Record<string, Route> = {
  'chat/completions': { method: 'POST', handle: chat },
  models: { method: 'GET', handle: (ctx) => models(ctx) },
  capabilities: { method: 'GET', handle: async () => SERVER_CAPABILITIES },
  'fine_tuning/grpo/initialize': { method: 'POST', handle: (ctx, b) => ctx.jobs.initialize(parseInitialize(b)) },
  'fine_tuning/grpo/status': { method: 'POST', handle: async (ctx, b) => ctx.jobs.status(parseJobRequest(b)) },
  'fine_tuning/grpo/step': {
    method: 'POST',
    handle: (ctx, b) => ctx.jobs.step(parseStep(b, (id) => ctx.jobs.numGenerations(id))),
  },
  'fine_tuning/grpo/checkpoint': { method: 'POST', handle: (ctx, b) => ctx.jobs.checkpoint(parseCheckpoint(b)) },
  'fine_tuning/grpo/cancel': { method: 'POST', handle: async (ctx, b) => ctx.jobs.cancel(parseJobRequest(b)) },
  'fine_tuning/sft': { method: 'POST', handle: (ctx, b) => ctx.jobs.sft(parseSft(b)) },
  'fine_tuning/grpo/terminate': { method: 'POST', handle: (ctx, b) => ctx.jobs.terminate(parseJobRequest(b)) },
};

/** `/v1//fine_tuning/grpo/step/?x=1` -> `fine_tuning/grpo/step`; undefined outside /v1. */
export function routeKey(url: string | undefined): string | undefined {
  const pathname = (url ?? '/').split('?')[0].replace(/\/+/g, '/');
  const m = /^\/v1(?:\/(.*?))?\/?$/.exec(pathname);
  return m ? (m[1] ?? '') : undefined;
}
