import type { ServerResponse } from 'node:http';
import type { EmbeddedBackend, GenerateRequest, GenerateResult, GeneratedChoice } from '../backend';
import { usageOf } from './chatCompletions';
import { asHttpError, errorBody } from './httpError';
import type { Exchange } from './exchange';

/** How one route spells its stream events (chat.completion.chunk or text_completion). */
export interface StreamShape {
  /** Wraps choice entries in the event envelope (id, object, created, model). */
  chunk(choices: unknown[]): object;
  /** The entry that opens choice `index` (chat: its role); none for text completions. */
  opening?(index: number): unknown;
  delta(index: number, text: string): unknown;
  /** The entry that closes a choice: its finish reason (and logprobs when asked). */
  finish(index: number, choice: GeneratedChoice): unknown;
}

/**
 * Server-sent events, OpenAI's framing: `data: <json>\n\n` per event, `data: [DONE]`
 * at the end. Headers go out with the first event, so a failure before it is still
 * an ordinary JSON error with its status.
 */
export class SseWriter {
  private opened = false;

  constructor(private readonly res: ServerResponse) {}

  get started(): boolean {
    return this.opened;
  }

  data(value: unknown): void {
    this.write(`data: ${JSON.stringify(value)}\n\n`);
  }

  /** After the first byte the status is spent: the error travels as an event and the stream ends without [DONE]. */
  fail(err: unknown, logger?: Exchange['logger']): void {
    this.data(errorBody(asHttpError(err, logger)));
    this.res.end();
  }

  done(): void {
    this.write('data: [DONE]\n\n');
    this.res.end();
  }

  private write(text: string): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    if (!this.opened) {
      this.opened = true;
      this.res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        // Proxies that buffer responses would hold the deltas back.
        'X-Accel-Buffering': 'no',
      });
    }
    this.res.write(text);
  }
}

export interface StreamJob {
  backend: EmbeddedBackend;
  request: GenerateRequest;
  shape: StreamShape;
  includeUsage: boolean;
}

/**
 * Runs one generation as a stream: deltas are forwarded as the backend reports
 * them; whatever part of a choice it did not report (a backend that cannot stream)
 * follows when the result is in, then each choice's finish, the usage if asked,
 * and [DONE]. Rejects, writing nothing, when generation fails before the first event.
 */
export async function streamGeneration(job: StreamJob, ex: Exchange): Promise<void> {
  const { request, shape } = job;
  const sse = new SseWriter(ex.res);
  // With include_usage every chunk carries `usage: null`, the last one the numbers (OpenAI's convention).
  const send = (choices: unknown[]): void => sse.data(job.includeUsage ? { ...shape.chunk(choices), usage: null } : shape.chunk(choices));
  const sent: string[] = Array.from({ length: request.n }, () => '');
  const open = (): void => {
    if (sse.started) return;
    if (shape.opening) for (let i = 0; i < request.n; i++) send([shape.opening(i)]);
  };
  const onDelta = (index: number, text: string): void => {
    if (ex.signal.aborted || text === '' || !(index >= 0 && index < request.n)) return;
    open();
    sent[index] += text;
    send([shape.delta(index, text)]);
  };
  let result: GenerateResult;
  try {
    result = await job.backend.generate(request, onDelta, ex.signal);
  } catch (err) {
    if (!sse.started || ex.signal.aborted) throw err;
    sse.fail(err, ex.logger);
    return;
  }
  open();
  result.choices.forEach((choice, index) => {
    const rest = choice.text.startsWith(sent[index]) ? choice.text.slice(sent[index].length) : '';
    if (rest !== '') send([shape.delta(index, rest)]);
    send([shape.finish(index, choice)]);
  });
  if (job.includeUsage) sse.data({ ...shape.chunk([]), usage: usageOf(result) });
  sse.done();
}
