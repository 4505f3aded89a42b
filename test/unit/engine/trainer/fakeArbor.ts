import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal stand-in for a plain Arbor server: FastAPI-style 422 on unknown
 * fields, no capabilities endpoint, asynchronous steps (a batch stays pending
 * until the next status call). Only what the client tests need.
 */
export interface FakeArborOptions {
  /** Answer GET /v1/capabilities and accept our extension fields. */
  advertise?: boolean;
  /** The first N requests get 503. */
  failFirst?: number;
}

export interface FakeArbor {
  baseUrl: string;
  received: Array<{ route: string; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

const PLAIN_FIELDS: Record<string, string[]> = {
  'fine_tuning/grpo/initialize': ['model', 'run_name', 'trainer_config', 'inference_config', 'gpu_config'],
  'fine_tuning/grpo/step': ['job_id', 'model', 'batch_id', 'batch'],
  'fine_tuning/grpo/status': ['job_id'],
  'fine_tuning/grpo/terminate': ['job_id'],
  'fine_tuning/grpo/cancel': ['job_id'],
  'fine_tuning/grpo/checkpoint': ['job_id', 'checkpoint_name', 'metadata'],
};
const MEMBER_FIELDS = ['messages', 'completion', 'reward'];

function extraFields(route: string, body: any, advertise: boolean): Array<Array<string | number>> {
  const allowed = [...(PLAIN_FIELDS[route] ?? []), ...(advertise && route.endsWith('step') ? ['metrics'] : [])];
  const extra: Array<Array<string | number>> = Object.keys(body).filter((k) => !allowed.includes(k)).map((k) => ['body', k]);
  if (route.endsWith('step') && Array.isArray(body.batch)) {
    const memberAllowed = advertise ? [...MEMBER_FIELDS, 'advantage', 'logprobs'] : MEMBER_FIELDS;
    body.batch.forEach((g: any[], gi: number) =>
      g.forEach((m, mi) => Object.keys(m).filter((k) => !memberAllowed.includes(k)).forEach((k) => extra.push(['body', 'batch', gi, mi, k]))),
    );
  }
  return extra;
}

export async function startFakeArbor(opts: FakeArborOptions = {}): Promise<FakeArbor> {
  const received: FakeArbor['received'] = [];
  let failures = opts.failFirst ?? 0;
  const pending: number[] = [];
  const status = () => ({ job_id: 'grpo:m:x:20250101', status: 'running', current_model: 'grpo:m:x:20250101', checkpoints: {}, last_checkpoint: null, pending_batch_ids: [...pending] });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (failures > 0) {
        failures--;
        return send(503, { detail: 'warming up' });
      }
      const route = (req.url ?? '').replace(/^\/v1\//, '');
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
      received.push({ route, body });
      if (route === 'capabilities' && opts.advertise) return send(200, { advantage: true, logprobs: true, metrics: true });
      if (route === 'models') return send(200, { object: 'list', data: [{ id: 'm' }] });
      if (!PLAIN_FIELDS[route]) return send(404, { detail: 'Not Found' });
      const extra = extraFields(route, body, opts.advertise ?? false);
      if (extra.length) return send(422, { detail: extra.map((loc) => ({ loc, msg: 'Extra inputs are not permitted', type: 'extra_forbidden' })) });
      if (route.endsWith('step')) {
        pending.push(body.batch_id);
        return send(200, status());
      }
      if (route.endsWith('status')) {
        const out = status();
        pending.length = 0;
        return send(200, out);
      }
      return send(200, status());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1/`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
