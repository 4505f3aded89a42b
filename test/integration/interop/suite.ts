import OpenAI from 'openai';
import type { InferenceCapabilities } from '../../../src/protocol/trainer';
import type { InteropServer, SuiteContext } from './context';
import { aiSdkTests } from './aiSdkClient';
import { BodyLog } from './bodyLog';
import { langchainTests } from './langchainClient';
import { openaiTests } from './openaiClient';

/**
 * The embedded server driven by clients nobody here wrote: the openai SDK, the
 * AI SDK (openai-compatible provider) and LangChain's ChatOpenAI. Models behind
 * the server may be gibberish generators, so the tests check protocol facts:
 * shapes, finish reasons, usage, streams assembling to the non-streamed text,
 * structured outputs parsing under their schema.
 */

export type { InteropServer } from './context';

export function interopSuite(name: string, startServer: () => Promise<InteropServer>): void {
  describe(`interop with real clients: ${name}`, function () {
    this.timeout(180_000);
    const ctx = { log: new BodyLog() } as SuiteContext;

    before(async function () {
      this.timeout(600_000);
      ctx.server = await startServer();
      const client = new OpenAI({ baseURL: ctx.server.baseUrl, apiKey: ctx.server.token, maxRetries: 0 });
      ctx.model = (await client.models.list()).data[0].id;
      const caps = (await client.get('/capabilities')) as { inference?: InferenceCapabilities };
      if (!caps.inference) throw new Error('GET /v1/capabilities has no `inference` section.');
      ctx.inference = caps.inference;
    });

    after(async () => {
      // What the clients sent, for whoever wonders which fields the server must accept.
      if (ctx.log.entries.length > 0) console.log(`\n    Request bodies the clients sent (${name}):\n${ctx.log.summary()}\n`);
      await ctx.server?.close();
    });

    describe('openai SDK', () => openaiTests(ctx));
    describe('AI SDK (@ai-sdk/openai-compatible)', () => aiSdkTests(ctx));
    describe('LangChain ChatOpenAI', () => langchainTests(ctx));
  });
}
